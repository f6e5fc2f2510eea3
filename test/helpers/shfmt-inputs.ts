// The files shfmt's everyday commands run on, in the profile tests and in learning its policy.
export const uglyShell = 'if [ -n "$x" ];then\necho   "hi"\nfi\nfoo() {  bar;}\n';

/** Relative path -> content: scripts to format, an .editorconfig, a directory to list. */
export const shfmtFiles: Record<string, string> = {
  "ugly.sh": uglyShell,
  "w.sh": uglyShell,
  ".editorconfig": "[*.sh]\nindent_style = space\nindent_size = 3\n",
  "dir/a.sh": uglyShell,
  "dir/b.sh": "echo fine\n",
  "dir/script": "#!/bin/bash\necho  ok\n",
  "dir/notes.txt": "not shell\n",
};
