import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { Navigate, useNavigate } from 'react-router-dom';
import { Api } from '../api/endpoints';
import { sessionFromToken, useAuth } from '../auth/store';
import { ProblemView } from '../components/ProblemView';

interface Form {
  username: string;
  password: string;
}

export function Login() {
  const session = useAuth((s) => s.session);
  const setTokens = useAuth((s) => s.setTokens);
  const setSession = useAuth((s) => s.setSession);
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const {
    register,
    handleSubmit,
    formState: { errors, isSubmitting },
  } = useForm<Form>();
  if (session) return <Navigate to="/" replace />;

  const onSubmit = async (f: Form) => {
    setError(null);
    try {
      const t = await Api.login(f.username.trim(), f.password);
      setTokens(t, sessionFromToken(t.access_token, f.username.trim()) ?? undefined);
      // The claims may lack the role's ids; the server's own view of the caller wins when it offers one.
      try {
        const me = await Api.me();
        setSession({ ...useAuth.getState().session, ...me, username: me.username || f.username.trim() });
      } catch {
        /* no /auth/me: the token's claims are enough */
      }
      if (!useAuth.getState().session) {
        setError(new Error('signed in, but the token does not say which role this user has'));
        useAuth.getState().clear();
        return;
      }
      navigate('/');
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div className="mx-auto mt-12 max-w-sm">
      <h1 className="h1">Sign in</h1>
      <form onSubmit={handleSubmit(onSubmit)} className="card space-y-3" noValidate>
        <div>
          <label htmlFor="username" className="label">
            Username
          </label>
          <input
            id="username"
            autoComplete="username"
            className="input"
            aria-invalid={!!errors.username}
            aria-describedby={errors.username ? 'username-error' : undefined}
            {...register('username', { required: 'Enter your username' })}
          />
          {errors.username && (
            <p id="username-error" className="field-error">
              {errors.username.message}
            </p>
          )}
        </div>
        <div>
          <label htmlFor="password" className="label">
            Password
          </label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            className="input"
            aria-invalid={!!errors.password}
            aria-describedby={errors.password ? 'password-error' : undefined}
            {...register('password', { required: 'Enter your password' })}
          />
          {errors.password && (
            <p id="password-error" className="field-error">
              {errors.password.message}
            </p>
          )}
        </div>
        <ProblemView error={error} />
        <button type="submit" className="btn w-full justify-center" disabled={isSubmitting}>
          {isSubmitting ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
