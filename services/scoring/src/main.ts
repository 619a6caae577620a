import { main } from '@duban/runtime';
import { scoringService } from './module';

main('duban scoring', [scoringService]);
