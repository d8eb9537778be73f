; Inno Setup 6 script for Ohm Desktop on Windows.
; NOT built or tested on the Linux build machine: it runs in CI on windows-latest
; (.github/workflows/desktop-installers.yml) after `python packaging/build_dist.py`, which leaves
; the PyInstaller folder in dist\ohm-desktop (ohm-desktop.exe = window, ohm.exe = console CLI).
;
;   iscc /DAppVersion=0.1.0 packaging\windows\ohm-desktop.iss
;
; The version comes from pyproject.toml (the workflow passes it); the default below is only a fallback.

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define AppName "Ohm Desktop"
#define SourceDir "..\..\dist\ohm-desktop"

[Setup]
; A fixed AppId makes upgrades replace the previous install instead of adding a second entry.
AppId={{7C0E8F3A-2B6D-4E51-9A8C-0D1F4E6B9A21}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Ohm Desktop team
DefaultDirName={autopf}\Ohm Desktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install by default (no admin prompt); the user can choose all users.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=ohm-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=ohm-desktop.ico
UninstallDisplayIcon={app}\ohm-desktop.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; `ohm` on PATH for the command line (per-user PATH, see [Registry]).
ChangesEnvironment=yes

[Files]
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\ohm-desktop.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\ohm-desktop.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the ohm command to PATH"; GroupDescription: "Command line:"

[Registry]
Root: HKCU; Subkey: "Environment"; ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\ohm-desktop.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
function NeedsAddPath(Dir: string): Boolean;
var
  Current: string;
begin
  if not RegQueryStringValue(HKCU, 'Environment', 'Path', Current) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Current) + ';') = 0;
end;
