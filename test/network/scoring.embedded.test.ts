import { describeScoring } from './scoring';

describeScoring({ kind: 'embedded' }, true);
