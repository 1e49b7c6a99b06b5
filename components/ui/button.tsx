import type { ButtonHTMLAttributes } from "react";

/**
 * primary: the one action a screen is for (one per screen). secondary: a quiet alternative beside it.
 * danger: removes or revokes something. ghost: tertiary actions in toolbars and tables.
 */
export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";
export type ButtonSize = "sm" | "md";

const variants: Record<ButtonVariant, string> = {
  primary: "bg-primary text-primary-fg shadow-sm hover:bg-primary-hover",
  secondary: "border border-line-strong bg-raised text-fg hover:bg-sunken",
  danger: "bg-danger text-danger-fg shadow-sm hover:bg-danger-hover",
  ghost: "text-fg-muted hover:bg-sunken hover:text-fg",
};

const sizes: Record<ButtonSize, string> = {
  sm: "h-8 px-3 text-xs",
  md: "min-h-10 px-4 py-2 text-sm",
};

export function buttonClass(variant: ButtonVariant = "primary", extra = "", size: ButtonSize = "md"): string {
  return `inline-flex items-center justify-center gap-2 rounded-control font-medium whitespace-nowrap transition-colors disabled:cursor-not-allowed disabled:opacity-60 ${sizes[size]} ${variants[variant]} ${extra}`;
}

export function Button({ variant = "primary", size = "md", className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; size?: ButtonSize }) {
  return <button type="button" className={buttonClass(variant, className, size)} {...props} />;
}
