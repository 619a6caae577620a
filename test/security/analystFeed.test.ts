import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '@duban/runtime';
import { signIn } from './signIn';
import { startSingleHost } from '../singleHost';
import type { SingleHost } from '../singleHost';

/**
 * Analysts read the event stream but not the people in it: a citizen's hotline case filed through
 * Open311 reaches the county's event feed; the office reads it whole, an analyst reads it without
 * the citizen's name, phone, e-mail or account, and without who handled it.
 */
describe('the event feed as an analyst reads it', () => {
  let single: SingleHost;
  let host: RunningNode;

  beforeAll(async () => {
    single = await startSingleHost('analyst_feed', ['county']);
    host = single.host;
  });
  afterAll(() => single?.close());

  it('withholds people and citizen contacts from analysts only', async () => {
    const office = await signIn(host, 'county', '县督查室 王敏', ['office-staff']);
    const analyst = await signIn(host, 'county', '统计分析 刘洋', ['analyst']);
    const form = [
      'service_code=city-management',
      `address_string=${encodeURIComponent('睢县城关镇北湖路12号')}`,
      'email=zhangsan%40example.cn',
      `first_name=${encodeURIComponent('三')}`,
      `last_name=${encodeURIComponent('张')}`,
      'phone=13800001234',
      'account_id=acct-778899',
      `description=${encodeURIComponent('北湖路路灯连续一周不亮')}`,
    ].join('&');
    const filed = await host.app.inject({
      method: 'POST',
      url: '/nodes/county/open311/v2/requests.json',
      headers: { ...office, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    expect(filed.statusCode).toBe(200);

    const asOffice = await host.app.inject({
      method: 'GET',
      url: '/nodes/county/tasks/events',
      headers: office,
    });
    expect(asOffice.statusCode).toBe(200);
    const full = JSON.stringify(asOffice.json());
    expect(asOffice.json()).toMatchObject({ redacted: false });
    for (const s of ['13800001234', 'zhangsan@example.cn', 'acct-778899', '张三']) expect(full).toContain(s);

    const asAnalyst = await host.app.inject({
      method: 'GET',
      url: '/nodes/county/tasks/events',
      headers: analyst,
    });
    expect(asAnalyst.statusCode).toBe(200);
    const body = asAnalyst.json() as { redacted: boolean; events: Array<{ type: string; data: unknown }> };
    expect(body.redacted).toBe(true);
    expect(body.events.map((e) => e.type)).toContain('tasks.item.assigned');
    const seen = JSON.stringify(body);
    for (const s of ['13800001234', 'zhangsan@example.cn', 'acct-778899', '张三', '王敏'])
      expect(seen).not.toContain(s);
    expect(seen).toContain('北湖路路灯连续一周不亮');
    expect(seen).toContain('城市管理');

    const ledger = await host.app.inject({
      method: 'GET',
      url: '/nodes/county/tasks/items',
      headers: analyst,
    });
    expect(ledger.statusCode).toBe(403);
    expect(ledger.json()).toMatchObject({ error: { code: 'auth.role_required' } });
  });
});
