/**
 * The thin seam between the transfer engine and the SDK: the calls the engine makes, in the
 * engine's own vocabulary. Unit tests of the engine substitute this interface; everything else
 * (end-to-end tests, the demo) uses the real implementation over HTTP.
 */
import {
  DescribeRecordCommand,
  UpdateProvisionedProductPropertiesCommand,
  type ServiceCatalogClient,
} from '@aws-sdk/client-service-catalog';

export type AcceptLanguage = 'en' | 'jp' | 'zh';

export interface UpdatePropertiesRequest {
  readonly provisionedProductId: string;
  /** Absent keys are left out of the request: an empty value is never sent. */
  readonly owner: string | undefined;
  readonly launchRole: string | undefined;
  readonly idempotencyToken: string;
}

export interface UpdatePropertiesAnswer {
  readonly recordId: string;
  readonly recordStatus: string;
}

export interface RecordAnswer {
  readonly recordId: string;
  readonly recordStatus: string;
  readonly errors: readonly string[];
}

/** The operations the engine calls; each has its own rate limiter (AWS throttles them separately). */
export type ApiOperation = 'UpdateProvisionedProductProperties' | 'DescribeRecord';

export interface ServiceCatalogApi {
  updateProperties(request: UpdatePropertiesRequest, signal: AbortSignal): Promise<UpdatePropertiesAnswer>;
  describeRecord(recordId: string, signal: AbortSignal): Promise<RecordAnswer>;
}

export function createServiceCatalogApi(client: ServiceCatalogClient, acceptLanguage?: AcceptLanguage): ServiceCatalogApi {
  const language = acceptLanguage && acceptLanguage !== 'en' ? { AcceptLanguage: acceptLanguage } : {};
  return {
    async updateProperties(request, signal) {
      const properties: Record<string, string> = {};
      if (request.owner !== undefined && request.owner !== '') properties.OWNER = request.owner;
      if (request.launchRole !== undefined && request.launchRole !== '') properties.LAUNCH_ROLE = request.launchRole;
      const output = await client.send(
        new UpdateProvisionedProductPropertiesCommand({
          ...language,
          ProvisionedProductId: request.provisionedProductId,
          ProvisionedProductProperties: properties,
          // Always ours: the SDK would fill in a random token when this is missing (idempotencyToken trait).
          IdempotencyToken: request.idempotencyToken,
        }),
        { abortSignal: signal },
      );
      return { recordId: output.RecordId ?? '', recordStatus: output.Status ?? '' };
    },
    async describeRecord(recordId, signal) {
      const output = await client.send(new DescribeRecordCommand({ ...language, Id: recordId }), { abortSignal: signal });
      const detail = output.RecordDetail;
      return {
        recordId: detail?.RecordId ?? recordId,
        recordStatus: detail?.Status ?? '',
        errors: (detail?.RecordErrors ?? []).map((e) => `${e.Code ?? ''}: ${e.Description ?? ''}`),
      };
    },
  };
}
