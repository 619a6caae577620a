import type { MustSupervise } from '@duban/events';
import type { OrgTree } from '@duban/org';

/** One hotline category (民意快线 类别) an Open311 client may file under, and the unit that handles it. */
export interface HotlineService {
  /** The Open311 service_code: stable, lower-case, never reused. */
  code: string;
  /** service_name: the category as the county's hotline names it. */
  name: string;
  nameEn: string;
  description: string;
  /** Synonyms a client may search by (Open311 keywords, comma-separated on the wire). */
  keywords: readonly string[];
  group: string;
  /** The responsible county unit (责任单位), by its name in the organisation tree. */
  unitName: string;
  /** 五必督: hotline cases touch social stability; some also the development environment. */
  mustSupervise: readonly MustSupervise[];
}

/**
 * The fixed catalogue of hotline categories a county offers over Open311. Units are named, not
 * numbered: each is looked up below the hosting county office in the organisation tree, and a
 * category whose unit that tree lacks is simply not offered.
 */
export const HOTLINE_SERVICES: readonly HotlineService[] = [
  {
    code: 'city-management',
    name: '城市管理',
    nameEn: 'Urban management',
    description:
      '市容环境、占道经营、违章搭建、垃圾清运、户外广告、路灯等问题 (street order, street vending, illegal structures, refuse collection, street lights)',
    keywords: ['市容', '占道经营', '违章搭建', '垃圾清运', '户外广告', '路灯', 'street vending', 'garbage'],
    group: '城乡管理',
    unitName: '县城市管理局',
    mustSupervise: ['social-stability'],
  },
  {
    code: 'environment',
    name: '环境保护',
    nameEn: 'Environmental protection',
    description:
      '噪声、油烟、废气、污水、扬尘、秸秆焚烧等环境污染问题 (noise, cooking fumes, exhaust, sewage, dust, straw burning)',
    keywords: ['噪声', '油烟', '废气', '污水', '扬尘', '秸秆焚烧', 'noise', 'pollution'],
    group: '生态环境',
    unitName: '县生态环境分局',
    mustSupervise: ['social-stability'],
  },
  {
    code: 'roads-transport',
    name: '道路交通',
    nameEn: 'Roads and transport',
    description:
      '道路破损、公交客运、出租车、农村公路、超载超限等问题 (damaged roads, buses and coaches, taxis, rural roads, overloading)',
    keywords: ['道路破损', '坑洼', '公交', '客运', '出租车', '农村公路', 'pothole', 'bus'],
    group: '交通出行',
    unitName: '县交通运输局',
    mustSupervise: ['social-stability'],
  },
  {
    code: 'water-supply',
    name: '供水',
    nameEn: 'Water supply',
    description:
      '停水、水压不足、水质、水表、管网漏水等问题 (outages, low pressure, water quality, meters, leaking mains)',
    keywords: ['停水', '水压', '水质', '水表', '漏水', 'water outage', 'leak'],
    group: '公用事业',
    unitName: '县自来水公司',
    mustSupervise: ['social-stability'],
  },
  {
    code: 'education',
    name: '教育',
    nameEn: 'Education',
    description:
      '入学、学校收费、校车、教师、校园安全等问题 (enrolment, school fees, school buses, teachers, school safety)',
    keywords: ['入学', '学校收费', '校车', '教师', '校园安全', 'school'],
    group: '公共服务',
    unitName: '县教育体育局',
    mustSupervise: ['social-stability'],
  },
  {
    code: 'health',
    name: '医疗卫生',
    nameEn: 'Health care',
    description:
      '医疗服务、医患纠纷、疫苗接种、村卫生室等问题 (medical services, disputes with hospitals, vaccination, village clinics)',
    keywords: ['医院', '医疗服务', '医患纠纷', '疫苗', '村卫生室', 'hospital', 'clinic'],
    group: '公共服务',
    unitName: '县卫生健康委员会',
    mustSupervise: ['social-stability'],
  },
  {
    code: 'social-security',
    name: '社会保障',
    nameEn: 'Social security',
    description:
      '养老保险、拖欠工资、农民工工资、社保卡、就业等问题 (pensions, unpaid wages, migrant workers’ pay, social security cards, jobs)',
    keywords: ['养老保险', '拖欠工资', '农民工工资', '社保卡', '就业', 'pension', 'wages'],
    group: '民生保障',
    unitName: '县人力资源和社会保障局',
    mustSupervise: ['social-stability'],
  },
  {
    code: 'housing',
    name: '住房建设',
    nameEn: 'Housing and construction',
    description:
      '物业服务、房屋质量、不动产办证、建筑施工、燃气等问题 (property management, building quality, title deeds, construction sites, gas)',
    keywords: ['物业', '房屋质量', '办证', '小区', '建筑施工', '燃气', 'housing', 'construction'],
    group: '城乡管理',
    unitName: '县住房和城乡建设局',
    mustSupervise: ['social-stability'],
  },
  {
    code: 'market-regulation',
    name: '市场监管',
    nameEn: 'Market regulation',
    description:
      '食品安全、价格、假冒伪劣、消费投诉、药品等问题 (food safety, prices, counterfeits, consumer complaints, medicines)',
    keywords: ['食品安全', '价格', '假冒伪劣', '消费投诉', '药品', 'food safety', 'consumer'],
    group: '市场监管',
    unitName: '县市场监督管理局',
    mustSupervise: ['social-stability', 'development-environment'],
  },
  {
    code: 'agriculture',
    name: '农业农村',
    nameEn: 'Agriculture and rural affairs',
    description:
      '种子化肥农药、土地承包、农机、惠农补贴等问题 (seeds, fertiliser and pesticides, land contracts, farm machinery, farm subsidies)',
    keywords: ['种子', '化肥', '农药', '土地承包', '农机', '补贴', 'farming', 'subsidy'],
    group: '农业农村',
    unitName: '县农业农村局',
    mustSupervise: ['social-stability'],
  },
];

/** A category as one county offers it: its unit found in the tree. */
export interface OfferedService extends HotlineService {
  unitId: string;
}

const offeredCache = new WeakMap<OrgTree, Map<string, OfferedService[]>>();

/** The categories a county office offers: those whose unit sits below it in the tree. */
export function offeredServices(org: OrgTree, countyNode: string): OfferedService[] {
  let byNode = offeredCache.get(org);
  if (!byNode) offeredCache.set(org, (byNode = new Map()));
  const cached = byNode.get(countyNode);
  if (cached) return cached;
  const below = org.subtree(countyNode).filter((n) => n.id !== countyNode && n.kind === 'unit');
  const offered = HOTLINE_SERVICES.flatMap((service) => {
    const unit = below.find((n) => n.name === service.unitName);
    return unit ? [{ ...service, unitId: unit.id }] : [];
  });
  byNode.set(countyNode, offered);
  return offered;
}
