// Properties as typed JSON and back, so an archive or an edit keeps binary, bigint and dates
// exactly (the PropertyDto shape of the message API).
import type { PropertyDto } from "@/lib/api/schemas/messages";
import { toPropertyDto } from "@/lib/api/serialize-message";
import type { PropertyValue } from "@/lib/brokers/types";

/** A typed property back to the value a broker carries. */
export function fromPropertyDto(dto: PropertyDto): PropertyValue {
  switch (dto.type) {
    case "null":
      return null;
    case "string":
    case "number":
    case "boolean":
      return dto.value;
    case "bigint":
      return BigInt(dto.value);
    case "date":
      return new Date(dto.value);
    case "binary":
      return new Uint8Array(Buffer.from(dto.base64, "base64"));
    case "list":
      return dto.items.map(fromPropertyDto);
    case "map":
      return fromPropertiesDto(dto.entries);
  }
}

export function fromPropertiesDto(entries: Readonly<Record<string, PropertyDto>>): Record<string, PropertyValue> {
  return Object.fromEntries(Object.entries(entries).map(([key, value]) => [key, fromPropertyDto(value)]));
}

export function toPropertiesDto(properties: Readonly<Record<string, PropertyValue>>): Record<string, PropertyDto> {
  return Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, toPropertyDto(value)]));
}
