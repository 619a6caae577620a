import { describe, expect, it } from 'vitest';
import { composeCaseText } from '../open311/caseText';
import { REDACTED, redactForAnalyst } from './redaction';

describe('what an analyst reads of an event', () => {
  it('drops people and citizen contacts, keeps what statistics are made of', () => {
    const description = composeCaseText({
      text: '北湖路路灯不亮',
      serviceCode: 'cg',
      serviceName: '城市管理',
      address: '北湖路 12 号',
      addressId: null,
      lat: null,
      long: null,
      contactName: '李四',
      phone: '13800000000',
      email: 'lisi@example.cn',
      accountId: null,
      deviceId: null,
      mediaUrl: null,
      attributes: [],
    });
    const redacted = redactForAnalyst({
      itemId: 'x',
      assignee: 'unit-cg',
      by: '张三',
      report: { draftedBy: '王五', signedOffBy: '赵六', summary: '已修复' },
      description,
      deadline: '2026-10-09T10:00:00.000Z',
    }) as Record<string, unknown>;
    const text = JSON.stringify(redacted);
    for (const secret of ['张三', '王五', '赵六', '李四', '13800000000', 'lisi@example.cn'])
      expect(text).not.toContain(secret);
    expect(redacted.by).toBe(REDACTED);
    expect(redacted.assignee).toBe('unit-cg');
    expect(redacted.deadline).toBe('2026-10-09T10:00:00.000Z');
    expect(String(redacted.description)).toContain('北湖路路灯不亮');
    expect(String(redacted.description)).toContain('北湖路 12 号');
    expect((redacted.report as Record<string, unknown>).summary).toBe('已修复');
  });
});
