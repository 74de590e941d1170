import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { fireEvent, render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { Login } from './Login';

describe('Login', () => {
  it('labels its fields and shows inline errors tied to them', async () => {
    render(
      <QueryClientProvider client={new QueryClient()}>
        <MemoryRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <Login />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const user = screen.getByLabelText('Username');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Enter your username')).toBeTruthy();
    expect(user.getAttribute('aria-invalid')).toBe('true');
    expect(user.getAttribute('aria-describedby')).toBe('username-error');
    expect(screen.getByText('Enter your password')).toBeTruthy();
  });
});
