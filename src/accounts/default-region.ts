/**
 * The one region resolver: the region of a place that neither its row nor the accounts file
 * names. `--region`, else AWS_REGION, else AWS_DEFAULT_REGION (the AWS CLI's order); undefined
 * leaves it to the profile's configuration, which the SDK reads itself.
 */
export function defaultRegion(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string | undefined {
  return flag ?? nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
