import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/**
 * Receives and deletes whatever is on `queueUrl` now, with its attributes and receive count. It
 * ends after `emptyPolls` empty receives in a row (200 ms apart), so a message still on its way
 * from a rule is not missed.
 */
export async function drainQueue(sqs: SQSClient, queueUrl: string, emptyPolls = 2): Promise<Message[]> {
  const messages: Message[] = [];
  let empty = 0;
  while (empty < emptyPolls) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const batch = received.Messages ?? [];
    if (batch.length === 0) {
      empty += 1;
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    for (const message of batch) {
      messages.push(message);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
  return messages;
}

/** The bodies of drained messages, in order. */
export const bodiesOf = (messages: readonly Message[]): string[] =>
  messages.map((message) => message.Body ?? '');
