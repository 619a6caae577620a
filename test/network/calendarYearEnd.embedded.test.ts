import { describeCalendarYearEnd } from './calendarYearEnd';

describeCalendarYearEnd({ kind: 'embedded' }, true);
