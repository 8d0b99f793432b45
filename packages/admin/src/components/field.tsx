import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

interface FieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  error?: string | undefined;
  type?: string;
  required?: boolean;
  hint?: string;
  name?: string;
  inputMode?: 'text' | 'numeric' | 'decimal' | 'tel' | 'email';
}

/** A labelled input whose error (from the API's 422) is announced and tied to it. */
export function Field(props: FieldProps) {
  const id = useId();
  const describedBy = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        inputMode={props.inputMode}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.hint && (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="error-text" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

interface SelectProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** Options with a `group` are shown under it (an `<optgroup>`), in the order the groups first appear. */
  options: { value: string; label: string; group?: string }[];
  error?: string | undefined;
  name?: string;
}

function optionsOf(options: SelectProps['options']) {
  const render = (o: SelectProps['options'][number]) => (
    <option key={o.value} value={o.value}>
      {o.label}
    </option>
  );
  const groups = [...new Set(options.map((o) => o.group))];
  return groups.map((group) =>
    group === undefined ? (
      options.filter((o) => o.group === undefined).map(render)
    ) : (
      <optgroup key={group} label={group}>
        {options.filter((o) => o.group === group).map(render)}
      </optgroup>
    ),
  );
}

export function Select(props: SelectProps) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      >
        {optionsOf(props.options)}
      </select>
      {props.error && (
        <p class="error-text" id={`${id}-error`}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** A success message (polite) or an error (assertive): never a silent failure. */
export function Notice({ kind, children }: { kind: 'ok' | 'error'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
