/**
 * Request validation as the AWS JSON protocol layer does it before the service sees the request:
 * a member of the wrong JSON type is a SerializationException; constraint violations are collected
 * and answered as one ValidationException in the Coral wording clients and people recognise
 * ("1 validation error detected: Value '…' at 'pageSize' failed to satisfy constraint: …").
 * JSON nulls count as absent and unknown members are ignored, as on AWS.
 */
import { ServiceError, serializationError } from './service-error.js';
import type { Shape, StructureShape } from './input-shapes.js';
import { isPlainObject } from '../errors.js';

type Json = unknown;

/** Compiled, anchored patterns; the model's patterns are unanchored but must match the whole value. */
function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}

/** Memo per validator instance (no module-level state): pattern text → anchored regex. */
export class InputValidator {
  private readonly patterns = new Map<string, RegExp>();

  /** Throws SerializationException or ValidationException; returns the input as an object. */
  validate(shape: StructureShape, input: Json): Record<string, unknown> {
    if (!isPlainObject(input)) throw serializationError('Start of structure or map found where not expected.');
    const violations: string[] = [];
    this.structure(shape, input, '', violations);
    if (violations.length > 0) {
      const count = violations.length === 1 ? '1 validation error detected' : `${violations.length} validation errors detected`;
      throw new ServiceError('ValidationException', `${count}: ${violations.join('; ')}`);
    }
    return input;
  }

  private structure(shape: StructureShape, value: Record<string, unknown>, path: string, out: string[]): void {
    for (const name of shape.required ?? []) {
      if (value[name] === undefined || value[name] === null) {
        out.push(`Value null at '${memberPath(path, name)}' failed to satisfy constraint: Member must not be null`);
      }
    }
    for (const [name, member] of Object.entries(shape.members)) {
      const memberValue = value[name];
      if (memberValue === undefined || memberValue === null) continue;
      this.value(member, memberValue, memberPath(path, name), out);
    }
  }

  private value(shape: Shape, value: Json, path: string, out: string[]): void {
    const problems = this.check(shape, value, path, out);
    for (const problem of problems) out.push(`Value ${render(value)} at '${path}' failed to satisfy constraint: ${problem}`);
  }

  /** Constraint problems of `value` itself; nested structures report into `out` directly. */
  private check(shape: Shape, value: Json, path: string, out: string[]): string[] {
    switch (shape.kind) {
      case 'string': {
        if (typeof value !== 'string') throw serializationError(`${jsonKind(value)} can not be converted to a String (at '${path}')`);
        const problems: string[] = [];
        if (shape.min !== undefined && value.length < shape.min) problems.push(`Member must have length greater than or equal to ${shape.min}`);
        if (shape.max !== undefined && value.length > shape.max) problems.push(`Member must have length less than or equal to ${shape.max}`);
        if (shape.pattern !== undefined && !this.pattern(shape.pattern).test(value)) {
          problems.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
        }
        return problems;
      }
      case 'integer': {
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          throw serializationError(`${jsonKind(value)} can not be converted to an Integer (at '${path}')`);
        }
        const problems: string[] = [];
        if (shape.min !== undefined && value < shape.min) problems.push(`Member must have value greater than or equal to ${shape.min}`);
        if (shape.max !== undefined && value > shape.max) problems.push(`Member must have value less than or equal to ${shape.max}`);
        return problems;
      }
      case 'list': {
        if (!Array.isArray(value)) throw serializationError(`Expected list or set at '${path}'`);
        const problems = lengthProblems(shape, value.length);
        const memberProblems = new Set<string>();
        for (const item of value) {
          if (item === null) continue;
          for (const problem of this.check(shape.member, item, path, out)) memberProblems.add(problem);
        }
        if (memberProblems.size > 0) problems.push(`Member must satisfy constraint: [${[...memberProblems].join(', ')}]`);
        return problems;
      }
      case 'map': {
        if (!isPlainObject(value)) throw serializationError(`Expected start of structure or map at '${path}'`);
        const entries = Object.entries(value);
        const problems = lengthProblems(shape, entries.length);
        const keyProblems = new Set<string>();
        const valueProblems = new Set<string>();
        for (const [key, entry] of entries) {
          for (const problem of this.check(shape.key, key, path, out)) keyProblems.add(problem);
          if (entry === null) continue;
          for (const problem of this.check(shape.value, entry, path, out)) valueProblems.add(problem);
        }
        if (keyProblems.size > 0) problems.push(`Map keys must satisfy constraint: [${[...keyProblems].join(', ')}]`);
        if (valueProblems.size > 0) problems.push(`Map value must satisfy constraint: [${[...valueProblems].join(', ')}]`);
        return problems;
      }
      case 'structure': {
        if (!isPlainObject(value)) throw serializationError(`Expected start of structure at '${path}'`);
        this.structure(shape, value, path, out);
        return [];
      }
    }
  }

  private pattern(text: string): RegExp {
    let compiled = this.patterns.get(text);
    if (!compiled) {
      compiled = anchored(text);
      this.patterns.set(text, compiled);
    }
    return compiled;
  }
}

function lengthProblems(shape: { min?: number; max?: number }, length: number): string[] {
  const problems: string[] = [];
  if (shape.min !== undefined && length < shape.min) problems.push(`Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) problems.push(`Member must have length less than or equal to ${shape.max}`);
  return problems;
}

/** Coral names members in lowerCamelCase, nested with dots: `accessLevelFilter.key`. */
function memberPath(parent: string, name: string): string {
  const camel = name.charAt(0).toLowerCase() + name.slice(1);
  return parent === '' ? camel : `${parent}.${camel}`;
}

/** Renders a value like Coral's messages do (Java toString inside quotes). */
function render(value: Json): string {
  if (Array.isArray(value)) return `'[${value.map((item) => String(item)).join(', ')}]'`;
  if (isPlainObject(value))
    return `'{${Object.entries(value)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')}}'`;
  return `'${String(value)}'`;
}

function jsonKind(value: Json): string {
  if (typeof value === 'string') return 'STRING_VALUE';
  if (typeof value === 'number') return 'NUMBER_VALUE';
  if (typeof value === 'boolean') return 'BOOLEAN_VALUE';
  if (Array.isArray(value)) return 'START_ARRAY';
  return 'START_OBJECT';
}
