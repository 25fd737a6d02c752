"""The online forum for key partners: open spaces and caucus spaces."""
