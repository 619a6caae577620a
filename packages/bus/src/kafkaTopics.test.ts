import { describe, expect, it } from 'vitest';
import { waitForLeaders } from './kafkaTopics';

type Metadata = Awaited<ReturnType<Parameters<typeof waitForLeaders>[0]['fetchTopicMetadata']>>;

function protocolError(type: string): Error {
  return Object.assign(new Error(`broker said ${type}`), { type });
}

/** A fake admin that answers from a script, one answer per call, then repeats the last. */
function scripted(answers: (Metadata | Error)[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fetchTopicMetadata: () => {
      const answer = answers[Math.min(calls, answers.length - 1)]!;
      calls += 1;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
}

const led = (leader: number): Metadata => ({
  topics: [
    {
      name: 't',
      partitions: [
        { partitionId: 0, leader, replicas: [1], isr: [1], partitionErrorCode: 0, offlineReplicas: [] },
      ],
    },
  ],
});

describe('waitForLeaders', () => {
  it('waits through "unknown topic" and "no leader" until every partition has a leader', async () => {
    const admin = scripted([
      protocolError('UNKNOWN_TOPIC_OR_PARTITION'),
      protocolError('LEADER_NOT_AVAILABLE'),
      // what kafkajs throws after retrying LEADER_NOT_AVAILABLE itself
      Object.assign(new Error('retries exceeded'), { cause: protocolError('LEADER_NOT_AVAILABLE') }),
      led(-1),
      led(1),
    ]);
    await waitForLeaders(admin, ['t'], 5_000, 1);
    expect(admin.calls).toBe(5);
  });

  it('passes any other error straight on', async () => {
    const admin = scripted([protocolError('TOPIC_AUTHORIZATION_FAILED')]);
    await expect(waitForLeaders(admin, ['t'], 5_000, 1)).rejects.toThrow('TOPIC_AUTHORIZATION_FAILED');
    expect(admin.calls).toBe(1);
  });

  it('gives up after its timeout, naming the topics and the last answer', async () => {
    const admin = scripted([protocolError('UNKNOWN_TOPIC_OR_PARTITION')]);
    await expect(waitForLeaders(admin, ['t'], 20, 1)).rejects.toThrow(
      /Kafka topics t not ready after 20 ms: UNKNOWN_TOPIC_OR_PARTITION/,
    );
  });
});
