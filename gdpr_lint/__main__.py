from gdpr_lint.cli import main

main()
