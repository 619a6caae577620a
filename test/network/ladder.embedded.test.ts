import { describeLadder } from './ladder';

describeLadder({ kind: 'embedded' }, true);
