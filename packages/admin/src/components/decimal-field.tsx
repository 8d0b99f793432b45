import { useEffect, useState } from 'preact/hooks';
import { formatDecimal, parseDecimal } from '../format.js';
import { Field } from './field.js';

/**
 * A number with decimals typed the owner's way (`1,25` or `1.25`), shown in the language's
 * (`1,25` / `1.25`). It keeps the text as typed: a field holding only the number would turn `1,`
 * back into `1` at the comma and swallow it. What does not parse is reported as NaN (sent as
 * `null`, the API's `wrong_type` names the field).
 */
export function DecimalField(props: {
  label: string;
  value: number;
  language: string;
  onValue: (value: number) => void;
  error?: string | undefined;
  hint?: string;
}) {
  const [text, setText] = useState(() => formatDecimal(props.value, props.language));
  // A new value from outside (the saved program) is shown, unless the text already says it.
  useEffect(() => {
    if (Number.isFinite(props.value) && parseDecimal(text) !== props.value)
      setText(formatDecimal(props.value, props.language));
  }, [props.value]);
  // Another language writes it with its own decimal.
  useEffect(() => {
    if (Number.isFinite(props.value)) setText(formatDecimal(props.value, props.language));
  }, [props.language]);
  return (
    <Field
      label={props.label}
      value={text}
      inputMode="decimal"
      error={props.error}
      {...(props.hint !== undefined ? { hint: props.hint } : {})}
      onInput={(v) => {
        setText(v);
        const parsed = parseDecimal(v);
        props.onValue(typeof parsed === 'number' ? parsed : Number.NaN);
      }}
    />
  );
}
