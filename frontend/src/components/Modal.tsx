import { useEffect, useRef, type ReactNode } from 'react';

/** A native <dialog>: focus moves in and is trapped by the browser, Escape closes, focus returns on close. */
export function Modal({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    } else if (!open && d.open) {
      if (typeof d.close === 'function') d.close();
      else d.removeAttribute('open');
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby="modal-title"
      onClose={onClose}
      onCancel={onClose}
      className="w-full max-w-lg rounded-lg p-0 shadow-xl backdrop:bg-black/40"
    >
      {open && (
        <div className="p-4">
          <div className="mb-3 flex items-start justify-between gap-4">
            <h2 id="modal-title" className="text-lg font-semibold">
              {title}
            </h2>
            <button type="button" className="btn-secondary" onClick={onClose} aria-label="Close dialog">
              ✕
            </button>
          </div>
          {children}
        </div>
      )}
    </dialog>
  );
}
