/**
 * The thin seam between the transfer engine and the SDK: the calls the engine makes, in the
 * engine's own vocabulary. Unit tests of the engine substitute this interface; everything else
 * (end-to-end tests, the demo) uses the real implementation over HTTP.
 */
import {
  DescribeProvisionedProductCommand,
  DescribeRecordCommand,
  ScanProvisionedProductsCommand,
  SearchProvisionedProductsCommand,
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
  /** CreatedTime in ms since the epoch, by the service's clock; undefined when not answered. */
  readonly createdAt?: number | undefined;
}

/**
 * What a read says of a provisioned product. Each operation tells part of it: only
 * SearchProvisionedProducts gives the owner (`UserArn`, `UserArnSession`), only
 * DescribeProvisionedProduct and ScanProvisionedProducts give the launch role. A field the read
 * did not cover is undefined; a launch role the product does not have is ''.
 */
export interface ProductFacts {
  readonly id: string;
  readonly arn: string;
  readonly status: string;
  readonly owner?: string | undefined;
  readonly ownerSession?: string | undefined;
  readonly launchRole?: string | undefined;
  /** The product's newest record: every change makes a new one, so it tells two drifts apart. */
  readonly lastRecordId: string;
  /** For `plan`'s review columns and filters; Search tells them, the other reads may not. */
  readonly name?: string | undefined;
  readonly productId?: string | undefined;
  readonly productName?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** Search tells these too; `snapshot` keeps them. ISO-8601. */
  readonly createdTime?: string | undefined;
  readonly statusMessage?: string | undefined;
  readonly provisioningArtifactId?: string | undefined;
  readonly provisioningArtifactName?: string | undefined;
}

export interface ProductPage {
  readonly products: readonly ProductFacts[];
  readonly nextPageToken: string | undefined;
  /** SearchProvisionedProducts' TotalResultsCount (the whole account's count, on every page). */
  readonly total?: number | undefined;
}

/** The operations the engine calls; each has its own rate limiter (AWS throttles them separately). */
export type ApiOperation =
  'UpdateProvisionedProductProperties' | 'DescribeRecord' | 'SearchProvisionedProducts' | 'DescribeProvisionedProduct' | 'ScanProvisionedProducts';

/** Page sizes the reads ask for: the most each operation serves. */
export const SEARCH_PAGE_SIZE = 100;
export const SCAN_PAGE_SIZE = 20;

export interface ServiceCatalogApi {
  updateProperties(request: UpdatePropertiesRequest, signal: AbortSignal): Promise<UpdatePropertiesAnswer>;
  describeRecord(recordId: string, signal: AbortSignal): Promise<RecordAnswer>;
  /** One product's owner, status and ARN (Search filtered on `id:`); undefined when no such product. */
  searchProduct(provisionedProductId: string, signal: AbortSignal): Promise<ProductFacts | undefined>;
  /** One product's launch role, status and ARN; rejects with ResourceNotFoundException when there is none. */
  describeProduct(provisionedProductId: string, signal: AbortSignal): Promise<ProductFacts>;
  /** A page of the whole account's products with their owners, sorted by id. */
  searchPage(pageToken: string | undefined, signal: AbortSignal): Promise<ProductPage>;
  /** A page of the whole account's products with their launch roles. */
  scanPage(pageToken: string | undefined, signal: AbortSignal): Promise<ProductPage>;
}

/**
 * Sent with every read: the service's default access level differs between operations (and
 * between versions of its own documentation), and only `Account` sees every product of the account.
 */
const WHOLE_ACCOUNT = { AccessLevelFilter: { Key: 'Account' as const, Value: 'Self' } };

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
        createdAt: detail?.CreatedTime?.getTime(),
      };
    },
    async searchProduct(provisionedProductId, signal) {
      const output = await client.send(
        new SearchProvisionedProductsCommand({ ...language, ...WHOLE_ACCOUNT, Filters: { SearchQuery: [`id:${provisionedProductId}`] }, PageSize: 2 }),
        { abortSignal: signal },
      );
      const found = (output.ProvisionedProducts ?? []).find((p) => p.Id === provisionedProductId);
      return found === undefined ? undefined : searchFacts(found);
    },
    async describeProduct(provisionedProductId, signal) {
      const output = await client.send(new DescribeProvisionedProductCommand({ ...language, Id: provisionedProductId }), { abortSignal: signal });
      return scanFacts(output.ProvisionedProductDetail ?? {});
    },
    async searchPage(pageToken, signal) {
      const output = await client.send(
        new SearchProvisionedProductsCommand({
          ...language,
          ...WHOLE_ACCOUNT,
          SortBy: 'id',
          SortOrder: 'ASCENDING',
          PageSize: SEARCH_PAGE_SIZE,
          PageToken: pageToken,
        }),
        { abortSignal: signal },
      );
      return {
        products: (output.ProvisionedProducts ?? []).map(searchFacts),
        nextPageToken: output.NextPageToken || undefined,
        total: output.TotalResultsCount,
      };
    },
    async scanPage(pageToken, signal) {
      const output = await client.send(new ScanProvisionedProductsCommand({ ...language, ...WHOLE_ACCOUNT, PageSize: SCAN_PAGE_SIZE, PageToken: pageToken }), {
        abortSignal: signal,
      });
      return { products: (output.ProvisionedProducts ?? []).map(scanFacts), nextPageToken: output.NextPageToken || undefined };
    },
  };
}

interface ProductShape {
  Id?: string;
  Arn?: string;
  Status?: string;
  LastRecordId?: string;
}

function searchFacts(
  p: ProductShape & {
    UserArn?: string;
    UserArnSession?: string;
    Name?: string;
    ProductId?: string;
    ProductName?: string;
    Tags?: Array<{ Key?: string; Value?: string }>;
    CreatedTime?: Date;
    StatusMessage?: string;
    ProvisioningArtifactId?: string;
    ProvisioningArtifactName?: string;
  },
): ProductFacts {
  return {
    id: p.Id ?? '',
    arn: p.Arn ?? '',
    status: p.Status ?? '',
    lastRecordId: p.LastRecordId ?? '',
    owner: p.UserArn ?? '',
    ownerSession: p.UserArnSession ?? '',
    name: p.Name,
    productId: p.ProductId,
    productName: p.ProductName,
    tags: Object.fromEntries((p.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
    createdTime: p.CreatedTime?.toISOString(),
    statusMessage: p.StatusMessage,
    provisioningArtifactId: p.ProvisioningArtifactId,
    provisioningArtifactName: p.ProvisioningArtifactName,
  };
}

function scanFacts(p: ProductShape & { LaunchRoleArn?: string }): ProductFacts {
  return { id: p.Id ?? '', arn: p.Arn ?? '', status: p.Status ?? '', lastRecordId: p.LastRecordId ?? '', launchRole: p.LaunchRoleArn ?? '' };
}
