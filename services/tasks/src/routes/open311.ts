import type { HttpApp } from '@duban/kit';
import type { TasksDeps } from '../deps';

/** Open311 GeoReport v2 (to be written). */
export function registerOpen311Routes(_app: HttpApp, _deps: TasksDeps): void {}
