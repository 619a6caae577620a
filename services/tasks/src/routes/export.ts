import type { HttpApp } from '@duban/kit';
import type { TasksDeps } from '../deps';

/** Ledger export to .xlsx and .csv (to be written). */
export function registerExportRoutes(_app: HttpApp, _deps: TasksDeps): void {}
