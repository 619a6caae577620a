import { describeNotifications } from './notifications';

describeNotifications({ kind: 'embedded' }, true);
