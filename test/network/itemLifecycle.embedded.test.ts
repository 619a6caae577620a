import { describeItemLifecycle } from './itemLifecycle';

describeItemLifecycle({ kind: 'embedded' }, true);
