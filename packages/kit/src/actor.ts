/** The roles people hold (督查室 staff, committee members, county leaders, unit handlers and heads, …). */
export const ROLES = [
  'office-staff', // 督查室工作人员: assigns, reviews, closes, decides extensions
  'committee-member', // 督查工作委员会成员: decides commendations and criticisms with the committee's weight
  'county-leader', // 县领导: owns (分包) items; sees them wherever they are
  'township-supervisor', // 乡镇督查员: supervises the township's own units, handles the township's items
  'unit-handler', // 承办人: acknowledges, reports progress, drafts the closing report
  'unit-head', // 一把手: signs off the closing report
  'analyst', // read-only: statistics and the event stream
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting: a person of a node, with their roles. */
export interface Actor {
  node: string;
  person: string;
  roles: readonly Role[];
}

export function hasAnyRole(actor: Actor, roles: readonly Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}
