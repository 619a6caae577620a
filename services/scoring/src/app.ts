import type { HttpApp } from '@duban/kit';
import type { ScoringDeps } from './deps';
import { registerDecisionRoutes } from './routes/decisions';

export type { ScoringDeps } from './deps';
export { scoringConsumer } from './consumers/decisions';

export function registerScoring(app: HttpApp, deps: ScoringDeps): void {
  registerDecisionRoutes(app, deps);
}
