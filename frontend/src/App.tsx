import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { useAuth } from './auth/store';
import { Layout } from './components/Layout';
import { canAccess } from './lib/nav';
import { Admin } from './pages/Admin';
import { Dashboard } from './pages/Dashboard';
import { Login } from './pages/Login';
import { Patients } from './pages/Patients';
import { Reports } from './pages/Reports';
import { Schedule } from './pages/Schedule';

function Guard({ children }: { children: ReactNode }) {
  const session = useAuth((s) => s.session);
  const loc = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: loc.pathname }} />;
  if (!canAccess(session.role, loc.pathname)) {
    return (
      <div role="alert" className="card">
        <h1 className="h1">Not available</h1>
        <p>Your role ({session.role}) does not include this page.</p>
      </div>
    );
  }
  return <>{children}</>;
}

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="/login" element={<Login />} />
        <Route path="/" element={<Guard><Dashboard /></Guard>} />
        <Route path="/schedule" element={<Guard><Schedule /></Guard>} />
        <Route path="/patients" element={<Guard><Patients /></Guard>} />
        <Route path="/patients/:id" element={<Guard><Patients /></Guard>} />
        <Route path="/reports" element={<Guard><Reports /></Guard>} />
        <Route path="/admin" element={<Guard><Admin /></Guard>} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Route>
    </Routes>
  );
}
