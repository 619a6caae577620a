import { describeForgery } from './forgery';

describeForgery({ kind: 'embedded' }, true);
