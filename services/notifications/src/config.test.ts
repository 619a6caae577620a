import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@duban/kit';
import { NotificationsConfig } from './config';

const fails = (env: Record<string, string>) => {
  try {
    parseConfig(NotificationsConfig, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('notifications configuration', () => {
  it('reads per-node channels with their defaults', () => {
    const config = parseConfig(NotificationsConfig, {
      NOTIFY_CHANNELS: JSON.stringify({
        '*': { dingtalkRobot: { accessToken: 't', secret: 'SECx' } },
        county: {
          sms: {
            provider: 'tencent',
            secretId: 'AKID',
            secretKey: 'k',
            sdkAppId: '1400006666',
            signName: '睢县县委督查室',
            templates: { default: { code: '2233001', params: { '1': 'title' } } },
          },
        },
      }),
    });
    expect(config.NOTIFY_CHANNELS['*']?.dingtalkRobot).toEqual({
      accessToken: 't',
      secret: 'SECx',
      baseUrl: 'https://oapi.dingtalk.com',
      msgtype: 'text',
    });
    expect(config.NOTIFY_CHANNELS.county?.sms).toMatchObject({
      region: 'ap-guangzhou',
      baseUrl: 'https://sms.tencentcloudapi.com',
      templates: { default: { code: '2233001', maxLength: 35 } },
    });
    expect(config.NOTIFY_URGENT_KINDS).toEqual(['escalation']);
    expect(
      parseConfig(NotificationsConfig, { NOTIFY_URGENT_KINDS: 'escalation, sanction' }).NOTIFY_URGENT_KINDS,
    ).toEqual(['escalation', 'sanction']);
  });

  it('fails fast, naming the field, on a bad channel configuration', () => {
    expect(fails({ NOTIFY_CHANNELS: '{"county": {' })).toMatch(/NOTIFY_CHANNELS: not JSON/);
    const message = fails({
      NOTIFY_CHANNELS: JSON.stringify({
        county: {
          dingtalkRobot: { accessToken: 't', secret: 'no-prefix' },
          wecomApp: { corpId: 'ww1', corpSecret: 's', agentId: 'x' },
          sms: {
            provider: 'aliyun',
            accessKeyId: 'a',
            accessKeySecret: 'b',
            signName: '睢县',
            templates: {},
          },
          pager: {},
        },
      }),
      NOTIFY_URGENT_KINDS: 'escalation,fire',
    });
    expect(message).toContain(
      'NOTIFY_CHANNELS.county.dingtalkRobot.secret: the robot’s 加签 secret starts with SEC',
    );
    expect(message).toContain('NOTIFY_CHANNELS.county.wecomApp.agentId');
    expect(message).toContain('NOTIFY_CHANNELS.county.sms.templates: needs a "default" template');
    expect(message).toMatch(/NOTIFY_CHANNELS\.county: Unrecognized key: "pager"/);
    expect(message).toContain('NOTIFY_URGENT_KINDS.1');
  });
});
