import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { ApiError } from '../../api/problem';
import { Api } from '../../api/endpoints';
import { keys } from '../../api/hooks';
import type { Patient, PatientInput, Sex } from '../../api/types';
import { ProblemView } from '../../components/ProblemView';
import type { Engine } from '../../engine';

interface Form {
  given_name: string;
  family_name: string;
  mrn: string;
  date_of_birth: string;
  sex: Sex;
  phone: string;
  email: string;
}

/** The field names the server's validation errors use (`contact.phone`), mapped onto the form's inputs. */
const FIELD: Record<string, keyof Form> = {
  given_name: 'given_name',
  family_name: 'family_name',
  mrn: 'mrn',
  date_of_birth: 'date_of_birth',
  sex: 'sex',
  'contact.phone': 'phone',
  'contact.email': 'email',
};

export function toInput(f: Form): PatientInput {
  return {
    given_name: f.given_name.trim(),
    family_name: f.family_name.trim(),
    mrn: f.mrn.trim() || null,
    date_of_birth: f.date_of_birth || null,
    sex: f.sex,
    contact: { phone: f.phone.trim() || null, email: f.email.trim() || null },
  };
}

/** Create or edit a patient: inline checks while typing, the engine's checks on submit, server errors per field. */
export function PatientForm({ clinicId, patient, engine, onDone }: { clinicId: string; patient: Patient | null; engine: Engine; onDone: (p: Patient) => void }) {
  const qc = useQueryClient();
  const {
    register,
    handleSubmit,
    setError,
    formState: { errors },
  } = useForm<Form>({
    mode: 'onBlur',
    defaultValues: {
      given_name: patient?.given_name ?? '',
      family_name: patient?.family_name ?? '',
      mrn: patient?.mrn ?? '',
      date_of_birth: patient?.date_of_birth ?? '',
      sex: patient?.sex ?? 'unknown',
      phone: patient?.contact?.phone ?? '',
      email: patient?.contact?.email ?? '',
    },
  });
  const save = useMutation({
    mutationFn: (input: PatientInput) => (patient ? Api.updatePatient(clinicId, patient.id, input) : Api.createPatient(clinicId, input)),
    onSuccess: (p) => {
      void qc.invalidateQueries({ queryKey: keys.patients(clinicId) });
      void qc.invalidateQueries({ queryKey: ['patient', clinicId, p.id] });
      onDone(p);
    },
    onError: (e) => {
      if (e instanceof ApiError) for (const fe of e.problem.errors ?? []) if (FIELD[fe.field]) setError(FIELD[fe.field]!, { message: `${fe.message} (${fe.code})` });
    },
  });
  const onSubmit = (f: Form) => {
    const input = toInput(f);
    const local = engine.validatePatient(input);
    if (local && local.length > 0) {
      for (const fe of local) setError(FIELD[fe.field] ?? 'given_name', { message: `${fe.message} (${fe.code})` });
      return;
    }
    save.mutate(input);
  };
  const today = new Date().toISOString().slice(0, 10);
  const field = (name: keyof Form, label: string, input: JSX.Element) => (
    <div>
      <label htmlFor={`p-${name}`} className="label">
        {label}
      </label>
      {input}
      {errors[name] && (
        <p id={`p-${name}-err`} className="field-error" role="alert">
          {errors[name]?.message}
        </p>
      )}
    </div>
  );
  const aria = (name: keyof Form) => ({ id: `p-${name}`, 'aria-invalid': !!errors[name], 'aria-describedby': errors[name] ? `p-${name}-err` : undefined });
  return (
    <form onSubmit={handleSubmit(onSubmit)} className="grid gap-3 sm:grid-cols-2" noValidate aria-label={patient ? 'Edit patient' : 'New patient'}>
      {field('given_name', 'Given name', <input className="input" autoComplete="off" {...aria('given_name')} {...register('given_name', { required: 'Given name is required', maxLength: { value: 200, message: 'At most 200 characters' } })} />)}
      {field('family_name', 'Family name', <input className="input" autoComplete="off" {...aria('family_name')} {...register('family_name', { required: 'Family name is required', maxLength: { value: 200, message: 'At most 200 characters' } })} />)}
      {field('mrn', 'MRN (medical record number)', <input className="input" {...aria('mrn')} {...register('mrn', { maxLength: { value: 64, message: 'At most 64 characters' } })} />)}
      {field(
        'date_of_birth',
        'Date of birth',
        <input type="date" className="input" max={today} {...aria('date_of_birth')} {...register('date_of_birth', { validate: (v) => !v || v <= today || 'The date of birth is in the future' })} />,
      )}
      {field(
        'sex',
        'Sex',
        <select className="input" {...aria('sex')} {...register('sex')}>
          <option value="unknown">Unknown</option>
          <option value="female">Female</option>
          <option value="male">Male</option>
          <option value="other">Other</option>
        </select>,
      )}
      {field(
        'phone',
        'Phone (international, e.g. +49 30 1234567)',
        <input type="tel" className="input" {...aria('phone')} {...register('phone', { pattern: { value: /^[+0-9 ()./-]*$/, message: 'Only digits, spaces and + ( ) . / -' } })} />,
      )}
      {field('email', 'E-mail', <input type="email" className="input" {...aria('email')} {...register('email', { pattern: { value: /^$|^[^\s@]+@[^\s@]+$/, message: 'Not an e-mail address' } })} />)}
      <div className="sm:col-span-2">
        <ProblemView error={save.error} title="The patient was not saved" />
        <button type="submit" className="btn mt-2" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : patient ? 'Save changes' : 'Create patient'}
        </button>
      </div>
    </form>
  );
}
