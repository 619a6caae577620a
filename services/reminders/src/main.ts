import { main } from '@duban/runtime';
import { remindersConfigFromEnv } from './config';
import { remindersService } from './module';

main('duban reminders', [remindersService(remindersConfigFromEnv())]);
