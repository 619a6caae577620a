import { describeOrgMerge } from './orgMerge';

describeOrgMerge({ kind: 'embedded' }, true);
