import { describe, expect, it } from 'vitest';
import { isInputProblem, resolveHeader } from '../../../src/input/header.js';
import type { HeaderMap, InputProblem } from '../../../src/input/types.js';

function header(columns: string[]): HeaderMap {
  const result = resolveHeader(columns);
  if (isInputProblem(result)) throw new Error(`unexpected problem: ${result.message}`);
  return result;
}

function problem(columns: string[], line?: number): InputProblem {
  const result = resolveHeader(columns, line);
  if (!isInputProblem(result)) throw new Error('expected a problem');
  return result;
}

describe('resolveHeader', () => {
  it('maps the canonical header', () => {
    expect(header(['provisioned_product_id', 'new_owner', 'launch_role'])).toEqual({
      columns: ['provisioned_product_id', 'new_owner', 'launch_role'],
      idColumn: 'provisioned_product_id',
      ownerColumn: 'new_owner',
      launchRoleColumn: 'launch_role',
      extraColumns: [],
    });
  });

  it('ignores case and surrounding spaces, and keeps the names as written (trimmed)', () => {
    expect(header([' Provisioned_Product_ID ', 'NEW_OWNER', '  Launch_Role'])).toMatchObject({
      columns: ['Provisioned_Product_ID', 'NEW_OWNER', 'Launch_Role'],
      idColumn: 'Provisioned_Product_ID',
      ownerColumn: 'NEW_OWNER',
      launchRoleColumn: 'Launch_Role',
    });
  });

  it.each([
    [['ProvisionedProductId', 'OWNER', 'LAUNCH_ROLE'], 'ProvisionedProductId', 'OWNER', 'LAUNCH_ROLE'],
    [['provisionedproductid', 'owner', 'LaunchRoleArn'], 'provisionedproductid', 'owner', 'LaunchRoleArn'],
    [['provisioned-product-id', 'NewOwner', 'LaunchRole'], 'provisioned-product-id', 'NewOwner', 'LaunchRole'],
    [['provisioned product id', 'new owner arn', 'new_launch_role'], 'provisioned product id', 'new owner arn', 'new_launch_role'],
  ])('accepts the aliases %j', (columns, id, owner, role) => {
    expect(header(columns)).toMatchObject({ idColumn: id, ownerColumn: owner, launchRoleColumn: role });
  });

  it('accepts only an owner column, or only a launch role column', () => {
    expect(header(['provisioned_product_id', 'new_owner'])).toMatchObject({ ownerColumn: 'new_owner', launchRoleColumn: undefined });
    expect(header(['launch_role', 'provisioned_product_id'])).toMatchObject({ ownerColumn: undefined, launchRoleColumn: 'launch_role' });
  });

  it('carries extra columns in order, whatever their position', () => {
    expect(header(['ticket', 'provisioned_product_id', 'team', 'new_owner', 'launch_role', 'note'])).toMatchObject({
      extraColumns: ['ticket', 'team', 'note'],
    });
  });

  it('ignores columns with an empty name (trailing commas)', () => {
    const map = header(['provisioned_product_id', 'new_owner', '', ' ']);
    expect(map.columns).toEqual(['provisioned_product_id', 'new_owner', '', '']);
    expect(map.extraColumns).toEqual([]);
  });

  it('does not accept a bare "id" column, and says why', () => {
    const p = problem(['id', 'new_owner']);
    expect(p.code).toBe('HEADER_MISSING_COLUMN');
    expect(p.message).toMatch(/'id' is ambiguous/);
  });

  it('requires the id column', () => {
    const p = problem(['new_owner', 'launch_role']);
    expect(p).toMatchObject({ code: 'HEADER_MISSING_COLUMN', line: 1 });
    expect(p.message).toMatch(/no provisioned_product_id column \(found 'new_owner', 'launch_role'\)/);
  });

  it('requires an owner or launch role column', () => {
    const p = problem(['provisioned_product_id', 'ticket'], 3);
    expect(p).toMatchObject({ code: 'HEADER_MISSING_COLUMN', line: 3 });
    expect(p.message).toMatch(/neither a new_owner nor a launch_role column/);
  });

  it('refuses two columns for the same field', () => {
    const p = problem(['provisioned_product_id', 'owner', 'NEW_OWNER']);
    expect(p.code).toBe('HEADER_DUPLICATE_COLUMN');
    expect(p.message).toBe("the header has more than one new owner column: 'owner' (column 2) and 'NEW_OWNER' (column 3); keep one");
    expect(problem(['ProvisionedProductId', 'provisioned_product_id', 'owner']).code).toBe('HEADER_DUPLICATE_COLUMN');
    expect(problem(['provisioned_product_id', 'launch_role', 'LaunchRoleArn']).code).toBe('HEADER_DUPLICATE_COLUMN');
  });

  it('refuses an extra column named twice', () => {
    const p = problem(['provisioned_product_id', 'owner', 'ticket', 'ticket']);
    expect(p.code).toBe('HEADER_DUPLICATE_COLUMN');
    expect(p.message).toMatch(/'ticket' twice \(columns 3 and 4\)/);
  });

  it('says HEADER_MISSING when the first line is data', () => {
    expect(problem(['pp-a1ice0000001', 'arn:aws:iam::123456789012:user/bob', '']).code).toBe('HEADER_MISSING');
    expect(problem(['something', 'arn:aws:iam::123456789012:user/bob']).message).toMatch(
      /first line is data, not a header .*provisioned_product_id,new_owner,launch_role/,
    );
  });

  it('says HEADER_MISSING_COLUMN for an unknown header that does not look like data', () => {
    expect(problem(['product', 'user', 'role']).code).toBe('HEADER_MISSING_COLUMN');
  });

  it('knows the optional account_id and region columns by their aliases', () => {
    const header = resolveHeader(['provisioned_product_id', 'new_owner', 'AccountId', 'Region', 'ticket']);
    expect(header).toMatchObject({ accountColumn: 'AccountId', regionColumn: 'Region', extraColumns: ['ticket'] });
    expect(resolveHeader(['provisioned_product_id', 'new_owner', 'account_id', 'account-id'])).toMatchObject({ code: 'HEADER_DUPLICATE_COLUMN' });
    expect(resolveHeader(['provisioned_product_id', 'new_owner'])).not.toHaveProperty('accountColumn');
  });
});
