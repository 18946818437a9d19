declare module 'validate-npm-package-name' {
  /** The npm team's package-name rules (validate-npm-package-name 6). */
  export default function validate(name: string): {
    validForNewPackages: boolean;
    validForOldPackages: boolean;
    errors?: string[];
    warnings?: string[];
  };
}
