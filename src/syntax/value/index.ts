// Public API of the Alloy value model.

export {
  capsuleAsObject,
  CapsuleValue,
  compareStrings,
  type ConversionTarget,
  describe,
  FunctionValue,
  type FunctionImpl,
  isArray,
  isCapsule,
  isFunction,
  isNumber,
  isObject,
  lengthOf,
  NoConversion,
  ObjectValue,
  typeOf,
  type Value,
  type ValueType,
} from "./types.ts";
export { fitNumberKinds, formatFloatF, NumError, numberFromLiteral, type NumberKind, NumberValue, parseGoFloat } from "./number.ts";
export {
  ArgError,
  ElementError,
  FieldError,
  isValueError,
  MissingKeyError,
  ValueError,
  ValueErrorBase,
  ValueTypeError,
  walkValueError,
} from "./errors.ts";
export { OPTIONAL_SECRET_TYPE, OptionalSecretValue, SECRET_TYPE, SecretValue } from "./secret.ts";
export { convertValue, stringToNumber } from "./convert.ts";
export { numbersEqual, valuesEqual } from "./equal.ts";
export { formatKey, formatValue } from "./format.ts";
export { bigToJS, fromJS, setOwn, toJS } from "./js.ts";
export { toBuilderValue } from "./builder.ts";
