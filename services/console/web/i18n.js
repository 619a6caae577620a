// One message table, zh-CN (default) and en; the choice is kept in localStorage.
const zh = {
  app: '督办 · 督查工作平台',
  login: '登录',
  loginName: '账号',
  password: '密码',
  signIn: '登录',
  signOut: '退出',
  language: 'English',
  ledger: '台帐',
  inbox: '收件箱',
  leaders: '领导驾驶舱',
  admin: '系统管理',
  newItem: '交办事项',
  search: '搜索标题、文号',
  kind: '类别',
  status: '状态',
  unit: '责任单位',
  leader: '分包领导',
  overdue: '仅看逾期',
  scopeSubtree: '含下级',
  all: '全部',
  filter: '筛选',
  exportXlsx: '导出 Excel',
  nextPage: '下一页',
  firstPage: '第一页',
  noItems: '没有符合条件的事项',
  title: '标题',
  deadline: '办理时限',
  light: '亮灯',
  noticeNo: '文号',
  assigner: '交办单位',
  assignee: '承办单位',
  description: '内容',
  days: '工作日内办结',
  submit: '提交',
  cancel: '取消',
  back: '返回',
  item: '事项',
  subItems: '分解事项',
  timeline: '办理过程',
  actions: '可办理的操作',
  acknowledge: '签收',
  progress: '报送进展',
  progressNote: '进展情况',
  percent: '完成比例 (%)',
  report: '起草办结报告',
  reportSummary: '办结报告',
  signOff: '一把手签字报送',
  review: '逐点审核',
  accept: '审核通过（办结）',
  return: '退回重办',
  recheck: '复核',
  returnReasons: '退回理由',
  comment: '审核意见',
  corrections: '整改要求',
  extension: '申请延期',
  newDeadline: '新时限',
  reason: '理由',
  reopen: '复查复议（重新打开）',
  decompose: '分解交办',
  decideExtension: '审批延期',
  approve: '同意',
  refuse: '不同意',
  unread: '未读',
  markRead: '标为已读',
  markAck: '已阅知悉',
  open: '查看',
  live: '实时',
  closureRate: '办结率',
  onTimeRate: '按期办结率',
  items: '事项数',
  closed: '已办结',
  overdueOpen: '逾期未办结',
  byTownship: '各乡镇',
  byUnit: '各单位',
  county: '全县',
  overdueItems: '逾期事项',
  escalated: '升级督办',
  scoreboard: '考核得分',
  sanctions: '奖惩',
  bulletins: '督查通报',
  draftBulletin: '生成通报草稿',
  publish: '发布',
  published: '已发布',
  draft: '草稿',
  score: '得分',
  periodFrom: '起始日期',
  periodTo: '截止日期',
  accounts: '账号与角色',
  organisations: '组织机构',
  calendar: '工作日历',
  addAmendment: '添加日历（如明年的节假日与调休）',
  policies: '催办与升级策略',
  templates: '通知模板',
  save: '保存',
  create: '新建',
  name: '姓名',
  roles: '角色',
  node: '所属单位',
  saved: '已保存',
  done: '操作成功',
  loading: '加载中…',
  none: '无',
  who: '经办人',
  when: '时间',
  by: '由',
  of: '共',
  light_green: '绿灯', light_yellow: '黄灯', light_red: '红灯', light_done: '已办结',
  status_assigned: '已交办待签收', status_acknowledged: '办理中', status_reported: '已报结待审核',
  status_rechecking: '复核中', status_returned: '退回重办', status_closed: '已办结', status_reopened: '复查复议',
  kind_annual_target: '年度目标任务', kind_project: '经济和项目工作', kind_major_event: '重大活动',
  kind_petition: '信访稳定', kind_conduct: '干部作风', kind_leader_instruction: '领导批示件', kind_hotline: '民意快线',
  point_policyAndLaw: '政策和法律', point_factsAndProcedure: '事实和程序', point_textAndFormat: '文字和格式',
  point_allProblemsFound: '问题是否查清', point_conclusionRight: '结论是否正确', point_handlingDone: '处理是否到位',
  reason_policy_or_law: '政策法律依据不足', reason_facts_or_procedure: '事实不清或程序不当',
  reason_text_or_format: '文字格式不规范', reason_problems_missed: '问题未查清',
  reason_conclusion_wrong: '结论不正确', reason_handling_not_done: '处理不到位',
  reason_not_signed_by_head: '未经一把手签字', reason_other: '其他',
  'ev_tasks.item.assigned': '交办', 'ev_tasks.item.acknowledged': '签收', 'ev_tasks.item.progressed': '报送进展',
  'ev_tasks.report.drafted': '起草办结报告', 'ev_tasks.item.reported': '一把手签字报结', 'ev_tasks.item.reviewed': '审核',
  'ev_tasks.item.closed': '办结', 'ev_tasks.item.reopened': '复查复议', 'ev_tasks.extension.requested': '申请延期',
  'ev_tasks.extension.approved': '同意延期', 'ev_tasks.extension.refused': '不同意延期', 'ev_tasks.feedback.recorded': '反馈',
  'ev_tasks.meeting.held': '联席会议', 'ev_reminders.item.chased': '催办', 'ev_reminders.item.escalated': '升级督办',
  outcome_accepted: '审核通过', outcome_returned: '退回重办', outcome_recheck: '复核',
  role_office_staff: '督查室工作人员', role_committee_member: '县委常委', role_county_leader: '县领导',
  role_analyst: '分析员', role_admin: '系统管理员', role_township_supervisor: '乡镇督查专干',
  role_unit_handler: '承办人', role_unit_head: '单位一把手',
};

const en = {
  app: 'duban · supervision console',
  login: 'Sign in', loginName: 'Login', password: 'Password', signIn: 'Sign in', signOut: 'Sign out',
  language: '中文', ledger: 'Ledger', inbox: 'Inbox', leaders: 'Leaders', admin: 'Admin',
  newItem: 'Assign an item', search: 'Search title, notice no.', kind: 'Kind', status: 'Status',
  unit: 'Unit', leader: 'Leader', overdue: 'Overdue only', scopeSubtree: 'Include units below',
  all: 'All', filter: 'Filter', exportXlsx: 'Export .xlsx', nextPage: 'Next page', firstPage: 'First page',
  noItems: 'No items match', title: 'Title', deadline: 'Deadline', light: 'Light', noticeNo: 'Notice no.',
  assigner: 'Assigner', assignee: 'Assignee', description: 'Description', days: 'working days',
  submit: 'Submit', cancel: 'Cancel', back: 'Back', item: 'Item', subItems: 'Sub-items', timeline: 'Timeline',
  actions: 'Actions', acknowledge: 'Acknowledge', progress: 'Report progress', progressNote: 'Progress',
  percent: 'Percent done', report: 'Draft closing report', reportSummary: 'Closing report',
  signOff: 'Head signs off', review: 'Point-by-point review', accept: 'Accept (close)', return: 'Return',
  recheck: 'Re-check', returnReasons: 'Return reasons', comment: 'Comment', corrections: 'Corrections',
  extension: 'Ask for an extension', newDeadline: 'New deadline', reason: 'Reason', reopen: 'Reopen',
  decompose: 'Decompose', decideExtension: 'Decide extension', approve: 'Approve', refuse: 'Refuse',
  unread: 'unread', markRead: 'Mark read', markAck: 'Acknowledge', open: 'Open', live: 'live',
  closureRate: 'Closure rate', onTimeRate: 'On-time rate', items: 'Items', closed: 'Closed',
  overdueOpen: 'Overdue open', byTownship: 'By township', byUnit: 'By unit', county: 'County',
  overdueItems: 'Overdue items', escalated: 'Escalated', scoreboard: 'Scoreboard', sanctions: 'Sanctions',
  bulletins: 'Bulletins', draftBulletin: 'Draft a bulletin', publish: 'Publish', published: 'published',
  draft: 'draft', score: 'Score', periodFrom: 'From', periodTo: 'To', accounts: 'Accounts and roles',
  organisations: 'Organisations', calendar: 'Working-day calendar',
  addAmendment: 'Add a calendar amendment (next year’s holidays)', policies: 'Reminder and escalation policies',
  templates: 'Notification templates', save: 'Save', create: 'Create', name: 'Name', roles: 'Roles',
  node: 'Node', saved: 'Saved', done: 'Done', loading: 'Loading…', none: 'none', who: 'Who', when: 'When',
  by: 'by', of: 'of',
  light_green: 'green', light_yellow: 'yellow', light_red: 'red', light_done: 'done',
  status_assigned: 'assigned', status_acknowledged: 'acknowledged', status_reported: 'reported',
  status_rechecking: 'rechecking', status_returned: 'returned', status_closed: 'closed', status_reopened: 'reopened',
  'ev_tasks.item.assigned': 'assigned', 'ev_tasks.item.acknowledged': 'acknowledged',
  'ev_tasks.item.progressed': 'progress', 'ev_tasks.report.drafted': 'report drafted',
  'ev_tasks.item.reported': 'report signed off', 'ev_tasks.item.reviewed': 'reviewed', 'ev_tasks.item.closed': 'closed',
  'ev_tasks.item.reopened': 'reopened', 'ev_tasks.extension.requested': 'extension requested',
  'ev_tasks.extension.approved': 'extension approved', 'ev_tasks.extension.refused': 'extension refused',
  'ev_reminders.item.chased': 'chased', 'ev_reminders.item.escalated': 'escalated',
  outcome_accepted: 'accepted', outcome_returned: 'returned', outcome_recheck: 're-check',
};

/** Chinese messages for the APIs' machine-readable error codes (English: the API's own message). */
const errorsZh = {
  'auth.required': '请先登录',
  'auth.invalid_credentials': '账号或密码错误',
  'auth.invalid_token': '登录已失效，请重新登录',
  'auth.token_expired': '登录已过期，请重新登录',
  'auth.session_ended': '会话已结束，请重新登录',
  'auth.invalid_refresh': '登录已失效，请重新登录',
  'auth.refresh_reused': '登录凭据已被使用，请重新登录',
  'auth.rate_limited': '尝试次数过多，请稍后再试',
  'auth.role_required': '您的角色无权进行此操作',
  'auth.node_mismatch': '您只能以本单位身份办理',
  'auth.out_of_scope': '该单位不在您的管辖范围内',
  'auth.admin_only': '仅系统管理员可操作',
  'auth.node_not_allowed': '不能为该单位管理账号',
  'account.exists': '账号已存在',
  'account.not_found': '账号不存在',
  'account.unknown_node': '单位不存在',
  'account.self_disable': '不能停用自己的账号',
  'request.invalid': '填写的内容有误',
  'request.too_large': '内容过长',
  'route.not_found': '页面不存在',
  'service.unavailable': '服务暂不可用，请稍后再试',
  'thing.busy': '系统繁忙，请稍后再试',
  'item.not_found': '事项不存在或无权查看',
  'item.illegal_transition': '当前状态下不能进行该操作',
  'item.concurrent_change': '事项刚被他人修改，请刷新后重试',
  'item.wrong_party': '本单位不是该事项的办理方',
  'item.wrong_role': '您的角色不能进行该操作',
  'item.unknown_parent': '上级事项不存在',
  'calendar.not_covered': '工作日历未覆盖该日期，请先添加日历',
  'node.not_hosted': '该单位不在本服务器',
  'inbox.not_found': '消息不存在',
  'bulletin.already_published': '通报已发布',
  'bulletin.bad_period': '通报期间有误',
  'notifications.bulletin_not_found': '通报不存在',
  'template.unknown_event_type': '事件类型不存在',
  'template.unknown_placeholder': '模板中含有未知的占位符',
  'scoring.unknown_unit': '单位不存在',
  'scoring.not_a_deciding_body': '本单位无权作出该决定',
  'proposal.decided': '该建议已处理',
  'appeal.pending': '已有申诉待处理',
  'appeal.decided': '该申诉已处理',
  'network.failed': '网络连接失败，请检查网络',
};

const tables = { 'zh-CN': zh, en };
let locale = localStorage.getItem('duban.locale') === 'en' ? 'en' : 'zh-CN';
document.documentElement.lang = locale;

export const getLocale = () => locale;
export function setLocale(next) {
  locale = next;
  localStorage.setItem('duban.locale', next);
  document.documentElement.lang = next;
}

/** A message by key; unknown keys show themselves (never an empty label). */
export function t(key) {
  return tables[locale][key] ?? zh[key] ?? key;
}

/** A value of an enum (status, kind, light, …) by prefix: t('status', 'closed'). */
export function tv(prefix, value) {
  const key = `${prefix}_${String(value).replaceAll('-', '_')}`;
  return tables[locale][key] ?? zh[key] ?? value;
}

/** The user-facing message of an API error: Chinese by code, else the API's own message. */
export function errorText(error) {
  const code = error?.code;
  const base = locale === 'zh-CN' && code && errorsZh[code] ? errorsZh[code] : error?.message ?? String(error);
  const issues = error?.issues?.map((i) => `${i.path}: ${i.message}`).join('；');
  return issues && locale === 'zh-CN' ? `${base}（${issues}）` : base;
}

/** Dates in China Standard Time, as the office reads them. */
export function fmtTime(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(locale, { timeZone: 'Asia/Shanghai', hour12: false });
}

export function fmtRate(x) {
  return x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`;
}
