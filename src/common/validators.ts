import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** The decorated date must be later than the named sibling date (check-out after check-in). */
export function IsAfter(property: string, options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isAfter',
      target: target.constructor,
      propertyName,
      constraints: [property],
      options: { message: `must be after ${property}`, ...options },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const other = (args.object as Record<string, unknown>)[args.constraints[0] as string];
          return value instanceof Date && other instanceof Date && value.getTime() > other.getTime();
        },
      },
    });
}
