import { DescribeRecordCommand, UpdateProvisionedProductPropertiesCommand, type ServiceCatalogClient } from '@aws-sdk/client-service-catalog';
import { describe, expect, it } from 'vitest';
import { createServiceCatalogApi } from '../../../src/aws/service-catalog-api.js';

/** Captures what would go over the wire; answers with a canned output. */
function fakeClient(output: object) {
  const sent: Array<{ command: unknown; options: unknown }> = [];
  const client = {
    send: async (command: unknown, options: unknown) => {
      sent.push({ command, options });
      return output;
    },
  } as unknown as ServiceCatalogClient;
  return { client, sent };
}

const TOKEN = 'sot1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

describe('createServiceCatalogApi.updateProperties', () => {
  it('sends OWNER and LAUNCH_ROLE with our token and the abort signal', async () => {
    const { client, sent } = fakeClient({ RecordId: 'rec-1', Status: 'CREATED' });
    const signal = new AbortController().signal;
    const answer = await createServiceCatalogApi(client).updateProperties(
      { provisionedProductId: 'pp-1', owner: 'arn:o', launchRole: 'arn:r', idempotencyToken: TOKEN },
      signal,
    );
    expect(answer).toEqual({ recordId: 'rec-1', recordStatus: 'CREATED' });
    const command = sent[0]!.command as UpdateProvisionedProductPropertiesCommand;
    expect(command).toBeInstanceOf(UpdateProvisionedProductPropertiesCommand);
    expect(command.input).toEqual({
      ProvisionedProductId: 'pp-1',
      ProvisionedProductProperties: { OWNER: 'arn:o', LAUNCH_ROLE: 'arn:r' },
      IdempotencyToken: TOKEN,
    });
    expect(sent[0]!.options).toEqual({ abortSignal: signal });
  });

  it('never sends an absent or empty value', async () => {
    const { client, sent } = fakeClient({ RecordId: 'rec-2', Status: 'SUCCEEDED' });
    const api = createServiceCatalogApi(client);
    const signal = new AbortController().signal;
    await api.updateProperties({ provisionedProductId: 'pp-1', owner: undefined, launchRole: 'arn:r', idempotencyToken: TOKEN }, signal);
    await api.updateProperties({ provisionedProductId: 'pp-2', owner: 'arn:o', launchRole: '', idempotencyToken: TOKEN }, signal);
    const inputs = sent.map((s) => (s.command as UpdateProvisionedProductPropertiesCommand).input.ProvisionedProductProperties);
    expect(inputs).toEqual([{ LAUNCH_ROLE: 'arn:r' }, { OWNER: 'arn:o' }]);
  });

  it('passes AcceptLanguage only when it is not English, and maps missing fields to ""', async () => {
    const { client, sent } = fakeClient({});
    const signal = new AbortController().signal;
    const request = { provisionedProductId: 'pp-1', owner: 'arn:o', launchRole: undefined, idempotencyToken: TOKEN };
    expect(await createServiceCatalogApi(client, 'jp').updateProperties(request, signal)).toEqual({ recordId: '', recordStatus: '' });
    await createServiceCatalogApi(client, 'en').updateProperties(request, signal);
    const inputs = sent.map((s) => (s.command as UpdateProvisionedProductPropertiesCommand).input);
    expect(inputs[0]!.AcceptLanguage).toBe('jp');
    expect(inputs[1]).not.toHaveProperty('AcceptLanguage');
  });
});

describe('createServiceCatalogApi.describeRecord', () => {
  it('maps the record detail and its errors', async () => {
    const { client, sent } = fakeClient({
      RecordDetail: { RecordId: 'rec-9', Status: 'FAILED', RecordErrors: [{ Code: 'E1', Description: 'denied' }] },
    });
    const answer = await createServiceCatalogApi(client).describeRecord('rec-9', new AbortController().signal);
    expect(answer).toEqual({ recordId: 'rec-9', recordStatus: 'FAILED', errors: ['E1: denied'] });
    expect(sent[0]!.command).toBeInstanceOf(DescribeRecordCommand);
    expect((sent[0]!.command as DescribeRecordCommand).input).toEqual({ Id: 'rec-9' });
  });

  it('falls back to the asked id when the answer has no detail', async () => {
    const { client } = fakeClient({});
    expect(await createServiceCatalogApi(client).describeRecord('rec-1', new AbortController().signal)).toEqual({
      recordId: 'rec-1',
      recordStatus: '',
      errors: [],
    });
  });
});
