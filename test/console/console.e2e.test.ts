import { mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '@duban/auth';
import { TestSignIn } from '@duban/auth/testing';
import type { RunningNode } from '@duban/runtime';
import { describeWhenAvailable } from '@duban/testing';
import { browserRequired, chromiumPath, launchChromium } from './browser';
import { REVIEW_POINTS } from '@duban/events';
import { startSingleHost } from '../singleHost';
import type { SingleHost } from '../singleHost';

/**
 * Every run takes the screenshots; `UPDATE_SCREENSHOTS=1` writes them over the committed ones in
 * docs/screenshots (what the README shows), otherwise they go to a temporary directory so that a
 * test run leaves the working tree as it found it.
 */
const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'duban-screenshots-'));

/** Polls until `check` holds, reloading the page between tries (other people act meanwhile). */
async function until(page: Page, check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > end) {
      const body = (
        await page
          .locator('body')
          .textContent()
          .catch(() => null)
      )?.slice(0, 500);
      throw new Error(`timed out waiting for ${what} at ${page.url()}: ${body}`);
    }
    await page.waitForTimeout(400);
    await page.reload();
  }
}

const TITLES = [
  '推进高标准农田建设',
  '优化营商环境专项行动',
  '农村人居环境整治提升',
  '信访积案化解攻坚',
  '重点项目集中开工',
  '安全生产隐患大排查',
  '乡村振兴示范村创建',
  '城区背街小巷改造',
  '秋冬季大气污染防治',
  '民生实事落实督查',
];
const POINTS = REVIEW_POINTS;

/**
 * Some history for the leaders' view, through the API: items for two townships and two units, some
 * closed (acknowledged, reported, signed off, accepted), so the charts have bars to compare.
 */
async function seed(url: string, host: RunningNode): Promise<void> {
  const signIn = new TestSignIn(() => ({ url, auth: host.ctx.auth }));
  const call = async (node: string, method: string, path: string, body?: unknown) => {
    const r = await fetch(`${url}/nodes/${node}${path}`, {
      method,
      headers: {
        ...(await signIn.headers(node)),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as { item?: { id: string; status: string } } };
  };
  const statusAt = async (node: string, id: string, want: string) => {
    for (let i = 0; i < 100; i++) {
      const r = await call(node, 'GET', `/tasks/items/${id}`);
      if (r.status === 200 && r.body.item?.status === want) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${id} never became ${want} at ${node}`);
  };
  const plan: Array<[string, number, number]> = [
    ['township-chengguan', 3, 2],
    ['township-chengjiao', 2, 0],
    ['unit-002', 3, 2],
    ['unit-001', 2, 1],
  ];
  let items = 0;
  let closed = 0;
  for (const [assignee, count, close] of plan) {
    for (let i = 0; i < count; i++) {
      const r = await call('county', 'POST', '/tasks/items', {
        title: TITLES[items % TITLES.length]!,
        kind: i % 2 ? 'project' : 'annual-target',
        assignee,
        deadlineRule: { kind: 'working-days', days: 10 + i },
      });
      expect(r.status).toBe(201);
      items++;
      if (i >= close) continue;
      const id = r.body.item!.id;
      await statusAt(assignee, id, 'assigned');
      await call(assignee, 'POST', `/tasks/items/${id}/acknowledge`, {});
      await call(assignee, 'POST', `/tasks/items/${id}/report`, { summary: '已按要求办结。' });
      expect((await call(assignee, 'POST', `/tasks/items/${id}/sign-off`, {})).status).toBe(200);
      await statusAt('county', id, 'reported');
      const points = Object.fromEntries(POINTS.map((p) => [p, { ok: true, comment: '' }]));
      expect(
        (await call('county', 'POST', `/tasks/items/${id}/review`, { outcome: 'accepted', points })).status,
      ).toBe(200);
      closed++;
    }
  }
  // The leaders' view reads the statistics consumer's facts: wait until it has them all.
  for (let i = 0; ; i++) {
    const r = await fetch(`${url}/nodes/county/scoring/statistics`, {
      headers: await signIn.headers('county'),
    });
    const s = ((await r.json()) as { statistics: { items: number; closed: number } }).statistics;
    if (s.items === items && s.closed === closed) return;
    if (i > 100) throw new Error(`statistics stuck at ${JSON.stringify(s)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const VIEWPORTS: Array<{ name: string; options: BrowserContextOptions; screenshots: boolean }> = [
  { name: 'desktop', options: { viewport: { width: 1366, height: 900 } }, screenshots: true },
  {
    name: 'phone',
    options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
    screenshots: false,
  },
];

const found = chromiumPath();
const path = typeof found === 'string' ? found : '';
const title = 'the web console in a real browser: assign, acknowledge, report, sign off, return, accept';

describeWhenAvailable(
  title,
  typeof found === 'string' ? undefined : found.unavailable,
  browserRequired(),
  () => {
    let single: SingleHost;
    let host: RunningNode;
    let url: string;
    let browser: Browser;

    beforeAll(async () => {
      // One process serving the county office and unit-001, console included, as `pnpm start`
      // does for all 113 nodes: the browser talks to one origin.
      single = await startSingleHost(
        'console_e2e',
        ['county', 'unit-001', 'unit-002', 'township-chengguan', 'township-chengjiao'],
        {
          env: { DUBAN_DEMO_ACCOUNTS: 'on', DUBAN_LOGIN_RATE_LIMIT: '1000', DATABASE_POOL_SIZE: '4' },
          reminders: { REMINDER_POLL_MS: 1000 },
        },
      );
      host = single.host;
      url = await host.app.listen({ host: '127.0.0.1', port: 0 });
      await seed(url, host);
      browser = await launchChromium(path);
      mkdirSync(SHOTS, { recursive: true });
    });
    afterAll(async () => {
      await browser?.close();
      await single?.close();
    });

    /** A person signs in on their own browser (own tab session), with the keyboard. */
    async function signIn(login: string, options: BrowserContextOptions): Promise<Page> {
      const context = await browser.newContext({ ...options, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${url}/`);
      await page.getByLabel('账号', { exact: true }).fill(login);
      await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
      await page.getByLabel('密码', { exact: true }).press('Enter');
      await page.getByRole('button', { name: '退出' }).waitFor();
      expect(errors).toEqual([]);
      return page;
    }

    const statusOf = (page: Page) =>
      page.locator('.item .meta .status').getAttribute('data-status', { timeout: 3000 });
    const kpi = async (page: Page, name: string) =>
      (await page.locator(`[data-kpi="${name}"]`).textContent())?.trim() ?? '';

    for (const { name, options, screenshots } of VIEWPORTS) {
      it(`runs the whole flow on a ${name} screen`, async () => {
        const itemTitle = `推进标准化厂房建设（${name}）`;

        // A wrong password is told in Chinese, from the API's error code.
        const stranger = await browser.newContext(options);
        const guess = await stranger.newPage();
        await guess.goto(`${url}/`);
        await guess.getByLabel('账号', { exact: true }).fill('office');
        await guess.getByLabel('密码', { exact: true }).fill('wrong-password');
        await guess.getByLabel('密码', { exact: true }).press('Enter');
        await guess.getByRole('alert').getByText('账号或密码错误').waitFor();
        await stranger.close();

        // The leader's numbers before.
        const leader = await signIn('leader', options);
        await leader.getByRole('link', { name: '领导驾驶舱' }).click();
        await leader.locator('[data-kpi="closed"]').waitFor();
        const itemsBefore = Number(await kpi(leader, 'items'));
        const closedBefore = Number(await kpi(leader, 'closed'));

        // The county office assigns the item to unit-001.
        const office = await signIn('office', options);
        await office.getByRole('button', { name: '交办事项' }).click();
        const assign = office.locator('form[aria-label="交办事项"]');
        await assign.getByLabel('标题', { exact: true }).fill(itemTitle);
        await assign.getByLabel(/^承办单位/).selectOption('unit-001');
        await assign.getByLabel(/办理时限/).fill('10');
        await assign.getByRole('button', { name: '提交' }).click();
        const link = office.getByRole('link', { name: itemTitle });
        await link.waitFor();
        const id = (await link.getAttribute('href'))!.split('/').pop()!;
        // The leader sees one more open item: the closure rate before it is closed.
        await until(
          leader,
          async () => Number(await kpi(leader, 'items')) === itemsBefore + 1,
          'the new item in the statistics',
        );
        const closureBefore = await kpi(leader, 'closureRate');

        // The unit's handler: the notice arrives live in the inbox, then acknowledge and report.
        const handler = await signIn('handler', options);
        await handler.getByTestId('unread').waitFor({ timeout: 20_000 });
        await handler.getByRole('link', { name: /收件箱/ }).click();
        const notice = handler.locator('.inbox li', { hasText: `督办通知：${itemTitle}` });
        await notice.waitFor();
        if (name === 'phone') {
          // 签收 straight from the notice: it opens the item.
          await notice.getByRole('button', { name: '签收' }).click();
        } else {
          await handler.goto(`${url}/console/#/items/unit-001/${id}`);
          await until(handler, async () => (await statusOf(handler)) === 'assigned', 'the copy at unit-001');
          await handler.getByRole('button', { name: '签收' }).click();
        }
        await handler.locator('.item .meta .status[data-status="acknowledged"]').waitFor();
        await handler.getByRole('button', { name: '报送进展' }).click();
        await handler.getByLabel('进展情况', { exact: true }).fill('已完成厂房主体结构');
        await handler.getByLabel('完成比例 (%)', { exact: true }).fill('60');
        await handler.getByLabel('完成比例 (%)', { exact: true }).press('Enter');
        await handler.getByText('已完成厂房主体结构').first().waitFor();
        const draft = async (summary: string) => {
          await handler.getByRole('button', { name: '起草办结报告' }).click();
          await handler.getByLabel('办结报告', { exact: true }).fill(summary);
          await handler.getByRole('button', { name: '提交' }).click();
          await handler.getByText(summary).first().waitFor();
        };
        await draft('厂房已建成并通过验收。');

        // The head signs off.
        const head = await signIn('head', options);
        await head.goto(`${url}/console/#/items/unit-001/${id}`);
        await head.getByRole('button', { name: '一把手签字报送' }).click();
        await head.locator('.item .meta .status[data-status="reported"]').waitFor();

        // The office reviews point by point and returns it once, with a coded reason.
        await office.goto(`${url}/console/#/items/county/${id}`);
        await until(office, async () => (await statusOf(office)) === 'reported', 'the report at the county');
        await office.getByRole('button', { name: '逐点审核' }).click();
        await office.getByLabel('事实和程序', { exact: true }).uncheck();
        await office.getByLabel('事实和程序 审核意见', { exact: true }).fill('验收材料不全');
        // Accepting with a failed point is refused, in Chinese, from the API's code.
        await office.getByRole('button', { name: '审核通过（办结）' }).click();
        await office.getByRole('alert').getByText('有审核点未通过，不能审核通过').waitFor();
        await office.getByLabel('事实不清或程序不当', { exact: true }).check();
        await office.getByLabel('审核意见', { exact: true }).fill('请补充验收报告');
        await office.getByRole('button', { name: '退回重办' }).click();
        await office.locator('.item .meta .status[data-status="returned"]').waitFor();
        await office.getByText(/退回重办 · 事实不清或程序不当 · 请补充验收报告/).waitFor();

        // The unit reports again; the head signs again; the office accepts.
        await until(handler, async () => (await statusOf(handler)) === 'returned', 'the return at unit-001');
        await draft('已补充验收报告，厂房已建成并通过验收。');
        await head.reload();
        await head.getByRole('button', { name: '一把手签字报送' }).click();
        await head.locator('.item .meta .status[data-status="reported"]').waitFor();
        await until(office, async () => (await statusOf(office)) === 'reported', 'the second report');
        await office.getByRole('button', { name: '逐点审核' }).click();
        await office.getByRole('button', { name: '审核通过（办结）' }).click();
        await office.locator('.item .meta .status[data-status="closed"]').waitFor();
        const timeline = office.getByTestId('timeline');
        for (const step of ['交办', '签收', '报送进展', '一把手签字报结', '审核', '办结'])
          await timeline.getByText(step, { exact: true }).first().waitFor();
        expect(await timeline.locator('li').count()).toBeGreaterThanOrEqual(8);
        if (screenshots) await office.screenshot({ path: join(SHOTS, 'item-timeline.png'), fullPage: true });

        // The ledger shows it closed.
        await office.goto(`${url}/console/#/ledger`);
        await office.getByRole('link', { name: itemTitle }).waitFor();
        const row = office.locator(`tr[data-item="${id}"]`);
        expect(await row.locator('.status').getAttribute('data-status')).toBe('closed');
        if (screenshots) await office.screenshot({ path: join(SHOTS, 'ledger.png'), fullPage: true });

        // The leader's view shows the changed rates.
        await until(
          leader,
          async () => Number(await kpi(leader, 'closed')) === closedBefore + 1,
          'the closure in the statistics',
        );
        expect(await kpi(leader, 'closureRate')).not.toBe(closureBefore);
        await leader.getByTestId('unit-table').locator('tr[data-group="unit-001"] .closure').waitFor();
        if (screenshots) {
          await leader.waitForTimeout(300); // charts draw on the next frame
          await leader.screenshot({ path: join(SHOTS, 'leaders.png'), fullPage: true });
          for (const shot of ['item-timeline.png', 'ledger.png', 'leaders.png'])
            expect(statSync(join(SHOTS, shot)).size).toBeGreaterThan(10_000);
        }
        // What a person sees follows their role: no leaders' view for a unit, no assigning for a leader.
        expect(await handler.getByRole('link', { name: '领导驾驶舱' }).count()).toBe(0);
        await leader.goto(`${url}/console/#/ledger`);
        await leader.locator('table.items').waitFor();
        expect(await leader.getByRole('button', { name: '交办事项' }).count()).toBe(0);

        // Signing out ends the session: back to the sign-in form, and a reload does not resume it.
        await office.getByRole('button', { name: '退出' }).click();
        await office.getByLabel('账号', { exact: true }).waitFor();
        await office.reload();
        await office.getByLabel('账号', { exact: true }).waitFor();
        for (const page of [leader, office, handler, head]) await page.context().close();
      }, 180_000);
    }
  },
);
