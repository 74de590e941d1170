import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ColumnDef } from '@tanstack/react-table';
import { useEffect, useState, type ReactNode } from 'react';
import { useForm } from 'react-hook-form';
import { Api } from '../../api/endpoints';
import { keys } from '../../api/hooks';
import { patientName } from '../../api/names';
import { ROLES, type Practitioner, type Role, type User } from '../../api/types';
import { useAuth } from '../../auth/store';
import { DataTable } from '../../components/DataTable';
import { Modal } from '../../components/Modal';
import { ProblemView } from '../../components/ProblemView';
import { fmtDateTime } from '../../lib/time';

const ROLE_WORDS: Record<Role, string> = {
  admin: 'Administrator',
  scheduler: 'Front desk (scheduler)',
  practitioner: 'Practitioner',
  patient: 'Patient',
};

/** The role's links, as the server wants them: a practitioner user names its practitioner, a patient user its patient. */
function links(role: Role, practitionerId: string, patientId: string) {
  return {
    practitioner_id: role === 'practitioner' ? practitionerId || null : null,
    patient_id: role === 'patient' ? patientId || null : null,
  };
}

function Field({ id, label, error, children }: { id: string; label: string; error?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}
      </label>
      {children}
      {error && (
        <p id={`${id}-err`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A patient picked by searching (a clinic has too many patients for one list). */
function PatientPicker({ clinicId, idPrefix, value, onChange, error }: { clinicId: string; idPrefix: string; value: string; onChange: (id: string) => void; error?: string }) {
  const [q, setQ] = useState('');
  const search = useQuery({
    queryKey: [...keys.patients(clinicId), 'pick', q],
    queryFn: () => Api.patients(clinicId, { q, limit: 20 }),
    enabled: q.trim().length > 0,
  });
  return (
    <>
      <Field id={`${idPrefix}-patq`} label="Find the patient (name, MRN or phone)">
        <input id={`${idPrefix}-patq`} className="input" autoComplete="off" value={q} onChange={(e) => setQ(e.target.value)} />
      </Field>
      <Field id={`${idPrefix}-pat`} label="Acts as patient" error={error}>
        <select id={`${idPrefix}-pat`} className="input" value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error}>
          <option value="">— choose —</option>
          {(search.data?.items ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {patientName(p)}
              {p.mrn ? ` (MRN ${p.mrn})` : ''}
            </option>
          ))}
          {value && !(search.data?.items ?? []).some((p) => p.id === value) && <option value={value}>Current patient</option>}
        </select>
      </Field>
    </>
  );
}

function PractitionerSelect({ id, practitioners, value, onChange, error }: { id: string; practitioners: Practitioner[]; value: string; onChange: (id: string) => void; error?: string }) {
  return (
    <Field id={id} label="Acts as practitioner" error={error}>
      <select id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={!!error}>
        <option value="">— choose —</option>
        {practitioners.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

interface NewUserForm {
  username: string;
  role: Role;
  password: string;
  practitioner_id: string;
  patient_id: string;
}

/** Admin → Users: every account of the clinic, a form to add one, and a dialog per account to change it. */
export function Users({ clinicId, practitioners }: { clinicId: string; practitioners: Practitioner[] }) {
  const qc = useQueryClient();
  const users = useQuery({ queryKey: keys.users, queryFn: Api.users });
  const [editing, setEditing] = useState<User | null>(null);
  const [notice, setNotice] = useState('');
  // Kept outside the form library: its errors on unregistered fields would block every later submit.
  const [linkError, setLinkError] = useState('');
  const {
    register,
    handleSubmit,
    reset,
    watch,
    setValue,
    formState: { errors },
  } = useForm<NewUserForm>({ defaultValues: { username: '', role: 'scheduler', password: '', practitioner_id: '', patient_id: '' } });
  const role = watch('role');
  const create = useMutation({
    mutationFn: (u: NewUserForm) => Api.createUser({ username: u.username.trim(), role: u.role, password: u.password, ...links(u.role, u.practitioner_id, u.patient_id) }),
    onSuccess: (u) => {
      void qc.invalidateQueries({ queryKey: keys.users });
      setNotice(`Added ${u.username} (${ROLE_WORDS[u.role]}).`);
      reset();
    },
  });
  const onCreate = (v: NewUserForm) => {
    // The same rule the server applies, said in the form before sending.
    if (v.role === 'practitioner' && !v.practitioner_id) return setLinkError('Choose the practitioner this user is');
    if (v.role === 'patient' && !v.patient_id) return setLinkError('Choose the patient this user is');
    setLinkError('');
    setNotice('');
    create.mutate(v);
  };
  const pracName = (id: string | null | undefined) => practitioners.find((p) => p.id === id)?.name ?? '';
  const cols: ColumnDef<User>[] = [
    { accessorKey: 'username', header: 'Username' },
    { accessorKey: 'role', header: 'Role', cell: (c) => ROLE_WORDS[c.getValue() as Role] ?? String(c.getValue()) },
    {
      id: 'link',
      header: 'Acts as',
      accessorFn: (u) => (u.practitioner_id ? pracName(u.practitioner_id) : u.patient_id ? 'a patient' : ''),
    },
    {
      accessorKey: 'disabled',
      header: 'Status',
      cell: (c) => (c.getValue() ? <span className="rounded bg-slate-200 px-1.5 py-0.5 text-slate-900">disabled</span> : 'active'),
    },
    { accessorKey: 'created_at', header: 'Created', cell: (c) => fmtDateTime(String(c.getValue()), Intl.DateTimeFormat().resolvedOptions().timeZone) },
    {
      id: 'actions',
      header: 'Actions',
      enableSorting: false,
      cell: (c) => (
        <button type="button" className="btn-secondary text-sm" onClick={() => setEditing(c.row.original)} data-edit-user={c.row.original.username}>
          Edit<span className="sr-only"> {c.row.original.username}</span>
        </button>
      ),
    },
  ];
  return (
    <div className="space-y-4">
      <ProblemView error={users.error} />
      <p aria-live="polite" className="text-sm text-green-900" data-testid="users-notice">
        {notice}
      </p>
      <DataTable data={users.data ?? []} columns={cols} caption="Users" rowKey={(u) => u.id} empty={users.isLoading ? 'Loading…' : 'No users.'} />
      <form onSubmit={handleSubmit(onCreate)} className="card grid gap-3 sm:grid-cols-2 lg:grid-cols-4" noValidate aria-label="Add user">
        <h2 className="text-lg font-semibold sm:col-span-2 lg:col-span-4">Add a user</h2>
        <Field id="u-name" label="Username" error={errors.username?.message}>
          <input
            id="u-name"
            className="input"
            autoComplete="off"
            aria-invalid={!!errors.username}
            {...register('username', { required: 'Required', pattern: { value: /^\s*[\p{L}\p{N}._@-]{1,64}\s*$/u, message: '1–64 letters, digits, . _ @ -' } })}
          />
        </Field>
        <Field id="u-role" label="Role">
          <select id="u-role" className="input" {...register('role')}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORDS[r]}
              </option>
            ))}
          </select>
        </Field>
        <Field id="u-pass" label="Initial password" error={errors.password?.message}>
          <input
            id="u-pass"
            type="password"
            autoComplete="new-password"
            className="input"
            aria-invalid={!!errors.password}
            {...register('password', { required: 'Required', minLength: { value: 8, message: 'At least 8 characters' } })}
          />
        </Field>
        {role === 'practitioner' && (
          <PractitionerSelect id="u-prac" practitioners={practitioners} value={watch('practitioner_id')} onChange={(v) => setValue('practitioner_id', v)} error={linkError || undefined} />
        )}
        {role === 'patient' && <PatientPicker clinicId={clinicId} idPrefix="u" value={watch('patient_id')} onChange={(v) => setValue('patient_id', v)} error={linkError || undefined} />}
        <div className="sm:col-span-2 lg:col-span-4">
          <ProblemView error={create.error} />
          <button className="btn" type="submit" disabled={create.isPending}>
            Add user
          </button>
        </div>
      </form>
      <EditUser user={editing} clinicId={clinicId} practitioners={practitioners} onClose={() => setEditing(null)} onDone={setNotice} />
    </div>
  );
}

/** One account: role (with its link), enabled or disabled, and a new password. */
function EditUser({ user, clinicId, practitioners, onClose, onDone }: { user: User | null; clinicId: string; practitioners: Practitioner[]; onClose: () => void; onDone: (msg: string) => void }) {
  const qc = useQueryClient();
  const me = useAuth((s) => s.session);
  const [role, setRole] = useState<Role>('scheduler');
  const [prac, setPrac] = useState('');
  const [pat, setPat] = useState('');
  const [disabled, setDisabled] = useState(false);
  const [password, setPassword] = useState('');
  const [localError, setLocalError] = useState('');
  useEffect(() => {
    if (!user) return;
    setRole(user.role);
    setPrac(user.practitioner_id ?? '');
    setPat(user.patient_id ?? '');
    setDisabled(user.disabled);
    setPassword('');
    setLocalError('');
  }, [user]);
  const done = (msg: string) => {
    void qc.invalidateQueries({ queryKey: keys.users });
    onDone(msg);
    onClose();
  };
  const save = useMutation({
    mutationFn: () => Api.updateUser(user!.id, { role, disabled, ...links(role, prac, pat) }),
    onSuccess: (u) => done(`${u.username}: ${ROLE_WORDS[u.role]}, ${u.disabled ? 'disabled' : 'active'}.`),
  });
  const reset = useMutation({
    mutationFn: () => Api.resetPassword(user!.id, password),
    onSuccess: () => done(`New password set for ${user!.username}.`),
  });
  const isSelf = !!user && me?.user_id === user.id;
  return (
    <Modal title={user ? `Edit ${user.username}` : 'Edit user'} open={!!user} onClose={onClose}>
      <form
        className="space-y-3"
        noValidate
        aria-label="Role and status"
        onSubmit={(e) => {
          e.preventDefault();
          if (role === 'practitioner' && !prac) return setLocalError('Choose the practitioner this user is');
          if (role === 'patient' && !pat) return setLocalError('Choose the patient this user is');
          setLocalError('');
          save.mutate();
        }}
      >
        <Field id="e-role" label="Role">
          <select id="e-role" className="input" value={role} onChange={(e) => setRole(e.target.value as Role)} disabled={isSelf} aria-describedby={isSelf ? 'e-self' : undefined}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_WORDS[r]}
              </option>
            ))}
          </select>
        </Field>
        {isSelf && (
          <p id="e-self" className="text-sm text-slate-700">
            You cannot change your own role or disable yourself.
          </p>
        )}
        {role === 'practitioner' && <PractitionerSelect id="e-prac" practitioners={practitioners} value={prac} onChange={setPrac} error={localError || undefined} />}
        {role === 'patient' && <PatientPicker clinicId={clinicId} idPrefix="e" value={pat} onChange={setPat} error={localError || undefined} />}
        <div className="flex items-center gap-2">
          <input id="e-disabled" type="checkbox" checked={disabled} disabled={isSelf} onChange={(e) => setDisabled(e.target.checked)} />
          <label htmlFor="e-disabled">Disabled (cannot sign in)</label>
        </div>
        <ProblemView error={save.error} />
        <button type="submit" className="btn" disabled={save.isPending}>
          Save changes
        </button>
      </form>
      <form
        className="mt-4 space-y-3 border-t border-slate-200 pt-3"
        noValidate
        aria-label="Reset password"
        onSubmit={(e) => {
          e.preventDefault();
          reset.mutate();
        }}
      >
        <Field id="e-pass" label="New password" error={password && password.length < 8 ? 'At least 8 characters' : undefined}>
          <input id="e-pass" type="password" autoComplete="new-password" className="input" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <ProblemView error={reset.error} />
        <button type="submit" className="btn-secondary" disabled={password.length < 8 || reset.isPending}>
          Set new password
        </button>
      </form>
    </Modal>
  );
}
