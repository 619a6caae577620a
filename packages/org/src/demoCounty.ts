import type { OrgNode } from './tree';
import { OrgTree } from './tree';

// 睢县 (Sui County, Henan) as in the seed article: its 20 townships by their real names.
const TOWNSHIPS: ReadonlyArray<readonly [string, string]> = [
  ['chengguan', '城关镇'],
  ['chengjiao', '城郊乡'],
  ['xilingsi', '西陵寺镇'],
  ['liaodi', '蓼堤镇'],
  ['changgang', '长岗镇'],
  ['pinggang', '平岗镇'],
  ['zhoutang', '周堂镇'],
  ['chaozhuang', '潮庄镇'],
  ['shangtun', '尚屯镇'],
  ['heji', '河集乡'],
  ['sunjuzhai', '孙聚寨乡'],
  ['jiangang', '涧岗乡'],
  ['baimiao', '白庙乡'],
  ['hutang', '胡堂乡'],
  ['dongdian', '董店乡'],
  ['houtai', '后台乡'],
  ['kuangcheng', '匡城乡'],
  ['bailou', '白楼乡'],
  ['hedi', '河堤乡'],
  ['youjitun', '尤吉屯乡'],
];

// 92 county-level units (县直单位): the usual bureaus, commissions and offices of a Henan county.
const UNITS: readonly string[] = [
  '县委办公室',
  '县人大常委会办公室',
  '县政府办公室',
  '县政协办公室',
  '县纪委监委',
  '县委组织部',
  '县委宣传部',
  '县委统战部',
  '县委政法委',
  '县委编办',
  '县委政研室',
  '县委党校',
  '县委巡察办',
  '县委网信办',
  '县委老干部局',
  '县直机关工委',
  '县总工会',
  '团县委',
  '县妇联',
  '县科协',
  '县工商联',
  '县残联',
  '县红十字会',
  '县文联',
  '县发展和改革委员会',
  '县教育体育局',
  '县科学技术和工业信息化局',
  '县公安局',
  '县民政局',
  '县司法局',
  '县财政局',
  '县人力资源和社会保障局',
  '县自然资源局',
  '县生态环境分局',
  '县住房和城乡建设局',
  '县交通运输局',
  '县水利局',
  '县农业农村局',
  '县商务局',
  '县文化广电和旅游局',
  '县卫生健康委员会',
  '县退役军人事务局',
  '县应急管理局',
  '县审计局',
  '县市场监督管理局',
  '县统计局',
  '县医疗保障局',
  '县信访局',
  '县城市管理局',
  '县乡村振兴局',
  '县林业局',
  '县粮食和物资储备中心',
  '县机关事务服务中心',
  '县行政审批和政务信息管理局',
  '县供销合作社',
  '县人民法院',
  '县人民检察院',
  '县税务局',
  '县消防救援大队',
  '县气象局',
  '县烟草专卖局',
  '县供电公司',
  '县自来水公司',
  '县产业集聚区管委会',
  '县商务中心区管委会',
  '县城乡一体化示范区管委会',
  '县投资促进局',
  '县住房公积金管理中心',
  '县公共资源交易中心',
  '县疾病预防控制中心',
  '县人民医院',
  '县中医院',
  '县妇幼保健院',
  '县第一高级中学',
  '县职业教育中心',
  '县广播电视台',
  '县融媒体中心',
  '县档案馆',
  '县地方史志办公室',
  '县图书馆',
  '县文物保护管理所',
  '县不动产登记中心',
  '县农业机械技术中心',
  '县畜牧发展服务中心',
  '县水利工程管理站',
  '县交通运输综合执法大队',
  '县城市管理综合执法大队',
  '县园林绿化中心',
  '县邮政分公司',
  '县移动分公司',
  '县联通分公司',
  '县农村信用合作联社',
];

export const DEMO_COUNTY_ID = 'county';
export const DEMO_CITY_ID = 'city';

/** The demo network: the city above, 1 county office, 20 townships and 92 county units (113 nodes). */
export function demoCountyNodes(): OrgNode[] {
  if (UNITS.length !== 92 || new Set(UNITS).size !== 92)
    throw new Error('the demo county has 92 distinct units');
  return [
    { id: DEMO_CITY_ID, name: '商丘市委督查室', kind: 'city', parentId: null },
    { id: DEMO_COUNTY_ID, name: '睢县县委督查室', kind: 'county-office', parentId: DEMO_CITY_ID },
    ...TOWNSHIPS.map(([slug, name]) => ({
      id: `township-${slug}`,
      name,
      kind: 'township' as const,
      parentId: DEMO_COUNTY_ID,
    })),
    ...UNITS.map((name, i) => ({
      id: `unit-${String(i + 1).padStart(3, '0')}`,
      name,
      kind: 'unit' as const,
      parentId: DEMO_COUNTY_ID,
    })),
  ];
}

export function demoCounty(): OrgTree {
  return new OrgTree(demoCountyNodes());
}

/** The nodes a demo deployment hosts: the county's own 113 (the city runs elsewhere). */
export function demoHostedNodeIds(tree: OrgTree = demoCounty()): string[] {
  return tree.subtree(DEMO_COUNTY_ID).map((n) => n.id);
}
