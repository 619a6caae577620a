import { main } from '@duban/runtime';
import { notificationsService } from './module';

main('duban notifications', [notificationsService]);
