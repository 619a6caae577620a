import { describeOtherCounty } from './otherCounty';

describeOtherCounty({ kind: 'embedded' }, true);
