/**
 * Input shapes of the served operations, copied from the service model (servicecatalog-2015-12-10,
 * service-2.json). Only what request validation needs: required members, JSON types, lengths,
 * ranges and patterns. Patterns are kept as the model spells them (for messages) and anchored when
 * checked, because the service matches the whole value.
 *
 * Enums are deliberately absent: Service Catalog checks them itself and answers
 * InvalidParametersException (see operations), while the shape constraints below are checked by the
 * protocol layer and answered with ValidationException, as AWS JSON services do.
 */
import type { OperationName } from './constants.js';

export interface StringShape {
  readonly kind: 'string';
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
}
export interface IntegerShape {
  readonly kind: 'integer';
  readonly min?: number;
  readonly max?: number;
}
export interface MapShape {
  readonly kind: 'map';
  readonly key: StringShape;
  readonly value: Shape;
  readonly min?: number;
  readonly max?: number;
}
export interface ListShape {
  readonly kind: 'list';
  readonly member: Shape;
  readonly min?: number;
  readonly max?: number;
}
export interface StructureShape {
  readonly kind: 'structure';
  readonly members: Readonly<Record<string, Shape>>;
  readonly required?: readonly string[];
}
export type Shape = StringShape | IntegerShape | MapShape | ListShape | StructureShape;

const AcceptLanguage: StringShape = { kind: 'string', max: 100 };
const Id: StringShape = { kind: 'string', min: 1, max: 100, pattern: '^[a-zA-Z0-9_\\-]*' };
const IdempotencyToken: StringShape = { kind: 'string', min: 1, max: 128, pattern: '[a-zA-Z0-9][a-zA-Z0-9_-]*' };
const ProvisionedProductName: StringShape = { kind: 'string', min: 1, max: 128, pattern: '[a-zA-Z0-9][a-zA-Z0-9._-]*' };
const PageToken: StringShape = { kind: 'string', max: 2024, pattern: '[\\u0009\\u000a\\u000d\\u0020-\\uD7FF\\uE000-\\uFFFD]*' };
const PageSize: IntegerShape = { kind: 'integer', min: 0, max: 20 };
const SearchProvisionedProductsPageSize: IntegerShape = { kind: 'integer', min: 0, max: 100 };
const PlainString: StringShape = { kind: 'string' };
const AccessLevelFilter: StructureShape = { kind: 'structure', members: { Key: PlainString, Value: PlainString } };

export const INPUT_SHAPES: Readonly<Record<OperationName, StructureShape>> = {
  UpdateProvisionedProductProperties: {
    kind: 'structure',
    required: ['ProvisionedProductId', 'ProvisionedProductProperties', 'IdempotencyToken'],
    members: {
      AcceptLanguage,
      ProvisionedProductId: Id,
      ProvisionedProductProperties: {
        kind: 'map',
        min: 1,
        max: 100,
        key: { kind: 'string', min: 1, max: 128 },
        value: { kind: 'string', min: 0, max: 1024 },
      },
      IdempotencyToken,
    },
  },
  DescribeRecord: {
    kind: 'structure',
    required: ['Id'],
    members: { AcceptLanguage, Id, PageToken, PageSize },
  },
  DescribeProvisionedProduct: {
    kind: 'structure',
    members: { AcceptLanguage, Id, Name: ProvisionedProductName },
  },
  SearchProvisionedProducts: {
    kind: 'structure',
    members: {
      AcceptLanguage,
      AccessLevelFilter,
      Filters: { kind: 'map', key: PlainString, value: { kind: 'list', member: PlainString } },
      SortBy: PlainString,
      SortOrder: PlainString,
      PageSize: SearchProvisionedProductsPageSize,
      PageToken,
    },
  },
  ScanProvisionedProducts: {
    kind: 'structure',
    members: { AcceptLanguage, AccessLevelFilter, PageSize, PageToken },
  },
  ListRecordHistory: {
    kind: 'structure',
    members: {
      AcceptLanguage,
      AccessLevelFilter,
      SearchFilter: { kind: 'structure', members: { Key: PlainString, Value: PlainString } },
      PageSize,
      PageToken,
    },
  },
};
