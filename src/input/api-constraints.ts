/**
 * Facts of the Service Catalog API (model servicecatalog-2015-12-10, operation
 * UpdateProvisionedProductProperties) that the input stage enforces before anything is sent.
 * Copied here on purpose: the tool never reads the model at run time.
 *
 * The model's patterns are unanchored (`^[a-zA-Z0-9_\-]*` would accept a prefix of
 * `pp-abc!`); every check below matches the WHOLE value.
 */

/** Shape `Id` (ProvisionedProductId): min 1, max 100, pattern `^[a-zA-Z0-9_\-]*`. */
export const PROVISIONED_PRODUCT_ID_MAX_LENGTH = 100;
export const PROVISIONED_PRODUCT_ID_PATTERN = /^[a-zA-Z0-9_-]+$/;

/** Shape `PropertyValue` (value of OWNER / LAUNCH_ROLE): min 0, max 1024. */
export const PROPERTY_VALUE_MAX_LENGTH = 1024;

/**
 * Shape `RoleArn`: min 1, max 1224, pattern `arn:[a-z0-9-\.]{1,63}:iam::[a-z0-9-\.]{0,63}:role\/.{0,1023}`.
 * The LAUNCH_ROLE must also be a well-formed IAM role ARN (see iam-arn.ts); this is the model's own
 * (looser) rule, anchored.
 */
export const ROLE_ARN_MAX_LENGTH = 1224;
export const ROLE_ARN_MODEL_PATTERN = /^arn:[a-z0-9\-.]{1,63}:iam::[a-z0-9\-.]{0,63}:role\/.{0,1023}$/;

/** A region name as AWS forms them: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** STS AssumeRole's ExternalId: 2-1224 of `[\w+=,.@:/-]`. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
