import { main } from '@duban/runtime';
import { tasksService } from './module';

main('duban tasks', [tasksService]);
