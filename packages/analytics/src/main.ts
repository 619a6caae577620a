import { main } from '@duban/runtime';
import { analyticsService } from './index';

// The projector on its own, for a county that runs its services as separate processes (the
// all-in-one host runs it already: services/host/src/services.ts).
main('duban analytics', [analyticsService]);
