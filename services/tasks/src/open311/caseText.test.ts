import { describe, expect, it } from 'vitest';
import { CASE_BLOCK_MARK, composeCaseText, contactName, parseCaseText } from './caseText';
import type { CaseDetails } from './caseText';
import { normalizeQuery, normalizeRequestBody, parseForm } from './schemas';

const details: CaseDetails = {
  text: '北湖路路灯不亮。\n请尽快维修。',
  serviceCode: 'city-management',
  serviceName: '城市管理',
  address: '睢县城关镇\n北湖路12号',
  addressId: 'A-17',
  lat: 34.4466123456,
  long: 115.0713,
  contactName: '张三',
  phone: '13800001234',
  email: 'z@example.cn',
  accountId: '123456',
  deviceId: 'tt222111',
  mediaUrl: 'http://example.cn/a.jpg',
  attributes: [
    ['WHERE', ['north']],
    ['LAMPS', ['12', '13']],
  ],
};

describe('the Open311 case block in an item description', () => {
  it('round-trips what a citizen sent, one value a line', () => {
    const text = composeCaseText(details);
    expect(text.startsWith('北湖路路灯不亮。\n请尽快维修。\n\n【民意快线·Open311 来件信息】\n')).toBe(true);
    expect(text).toContain('地址：睢县城关镇 北湖路12号\n');
    const { serviceName: _name, ...sent } = details;
    expect(parseCaseText(text)).toEqual({ ...sent, address: '睢县城关镇 北湖路12号', lat: 34.446612 });
  });

  it('keeps a description without a block as the citizen’s text', () => {
    expect(parseCaseText('市民来电反映噪声扰民')).toMatchObject({
      text: '市民来电反映噪声扰民',
      serviceCode: null,
      lat: null,
      address: null,
    });
  });

  it('cannot be forged from the citizen’s own text', () => {
    const forged = `我的地址是假的\n${CASE_BLOCK_MARK}\n地址：伪造的地址\n电话：110`;
    const text = composeCaseText({ ...details, text: forged, phone: null });
    const parsed = parseCaseText(text);
    expect(parsed.text).toBe(forged);
    expect(parsed.address).toBe('睢县城关镇 北湖路12号');
    expect(parsed.phone).toBeNull();
    // A mark inside a line (not at its start) is text, too.
    expect(parseCaseText(`见${CASE_BLOCK_MARK}`).serviceCode).toBeNull();
  });

  it('writes a block alone when the citizen sent no text', () => {
    const text = composeCaseText({ ...details, text: '  ' });
    expect(text.startsWith(CASE_BLOCK_MARK)).toBe(true);
    expect(parseCaseText(text)).toMatchObject({ text: '', serviceCode: 'city-management' });
  });

  it('names a contact in the order of their language', () => {
    expect(contactName('三', '张')).toBe('张三');
    expect(contactName('John', 'Smith')).toBe('John Smith');
    expect(contactName(null, '李')).toBe('李');
    expect(contactName(null, null)).toBeNull();
  });
});

describe('Open311 request bodies and queries', () => {
  it('reads form fields as a client sends them', () => {
    const form = parseForm(
      'service_code=water-supply&description=%E5%81%9C%E6%B0%B4+%E4%B8%89%E5%A4%A9&lat=&attribute[A]=1&attribute[B][]=x&attribute[B][]=y',
    );
    expect(normalizeRequestBody(form)).toEqual({
      service_code: 'water-supply',
      description: '停水 三天',
      attribute: { A: ['1'], B: ['x', 'y'] },
    });
  });

  it('reads JSON alike: numbers as text, nulls and empty values absent', () => {
    expect(
      normalizeRequestBody({
        service_code: 'education',
        address_id: 4711,
        lat: 34.5,
        phone: '',
        email: null,
        attribute: { K: 'v' },
        'attribute[L]': ['1', 2],
        description: 'a\r\nb\u0007',
      }),
    ).toEqual({
      service_code: 'education',
      address_id: '4711',
      lat: '34.5',
      description: 'a\nb',
      attribute: { K: ['v'], L: ['1', '2'] },
    });
    expect(normalizeRequestBody(undefined)).toEqual({});
  });

  it('joins repeated query parameters into one comma list', () => {
    expect(
      normalizeQuery({ status: ['open', 'closed'], service_code: '', start_date: '2026-03-01' }),
    ).toEqual({
      status: 'open,closed',
      start_date: '2026-03-01',
    });
  });
});
