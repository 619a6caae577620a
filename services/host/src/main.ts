import { main } from '@duban/runtime';
import { allServices } from './services';

// The embedded default: every service for every demo node, one process, one port.
main('duban', allServices());
