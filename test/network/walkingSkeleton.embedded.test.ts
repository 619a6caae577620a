import { describeWalkingSkeleton } from './walkingSkeleton';

describeWalkingSkeleton({ kind: 'embedded' }, true);
