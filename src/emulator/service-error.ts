/**
 * An error the emulator answers the way AWS JSON 1.1 services do: HTTP status, `__type` in the
 * body and the `x-amzn-ErrorType` header. Handlers throw it; the HTTP layer serialises it.
 */
import { CodedError } from '../coded-error.js';

export class ServiceError extends CodedError<string> {
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(type, message);
    this.status = status;
  }

  get type(): string {
    return this.code;
  }
}

/** Service Catalog's own answer to a parameter it refuses (not a model constraint). */
export const invalidParameters = (message: string): ServiceError => new ServiceError('InvalidParametersException', message);

export const resourceNotFound = (message: string): ServiceError => new ServiceError('ResourceNotFoundException', message);

export const invalidState = (message: string): ServiceError => new ServiceError('InvalidStateException', message);

/** What the JSON protocol layer answers when a member has the wrong JSON type. */
export const serializationError = (message: string): ServiceError => new ServiceError('SerializationException', message);

export const throttled = (): ServiceError => new ServiceError('ThrottlingException', 'Rate exceeded');

export const internalFailure = (): ServiceError =>
  new ServiceError('InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);

/** Problems with the emulator's own configuration (seed file, faults, options). */
export type EmulatorConfigErrorCode = 'SEED_UNREADABLE' | 'SEED_INVALID' | 'FAULTS_INVALID' | 'OPTIONS_INVALID';

export class EmulatorConfigError extends CodedError<EmulatorConfigErrorCode> {}
